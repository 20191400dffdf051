// Starts one real `jobordre dev` stack for the test run: the binary $JOBORDRE_BIN (built by
// `make test-browser`), a fresh data dir, free ports, no Temporal UI. Its base URL and data
// dir go to .stack.json for the tests (lib/stack.js) and for global-teardown.js.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const stateFile = path.join(__dirname, '.stack.json');

module.exports = async function globalSetup() {
  const bin = process.env.JOBORDRE_BIN || path.resolve(__dirname, '../../bin/jobordre-e2e');
  if (!fs.existsSync(bin)) {
    throw new Error(`no jobordre binary at ${bin}: run the browser tests with \`make test-browser\`, or set JOBORDRE_BIN`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobordre-e2e-'));
  const env = {
    ...process.env,
    JOBORDRE_LOG_LEVEL: 'warn',
    // The session dialog test moves the browser's clock; the server's idle timeout is the default.
    JOBORDRE_DATA_DIR: dataDir,
  };
  const child = spawn(bin, ['dev', '--http-addr', '127.0.0.1:0', '--temporal-port', '0', '--ui-port', '0', '--data-dir', dataDir], {
    env, stdio: ['ignore', 'pipe', 'pipe'], detached: false,
  });
  const log = fs.createWriteStream(path.join(dataDir, 'stack.log'));
  child.stderr.pipe(log);
  let out = '';
  const baseURL = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('jobordre dev did not start within 120 s; see ' + path.join(dataDir, 'stack.log'))), 120_000);
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
      log.write(chunk);
      const m = out.match(/Console\s+(http:\/\/[^\s/]+)\//);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`jobordre dev exited with ${code} before it was ready; see ${path.join(dataDir, 'stack.log')}`));
    });
  });
  child.stdout.on('data', (chunk) => log.write(chunk));
  child.unref();
  fs.writeFileSync(stateFile, JSON.stringify({ baseURL, dataDir, pid: child.pid, bin }, null, 2));
  process.env.E2E_BASE_URL = baseURL;
  // Readiness: the API answers /readyz once Temporal and the database do.
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(baseURL + '/readyz');
      if (r.ok) return;
    } catch (e) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('jobordre dev never became ready');
};

module.exports.stateFile = stateFile;
module.exports.execFileSync = execFileSync;
