// Stops the stack global-setup.js started (SIGTERM: a graceful shutdown) and removes its data
// dir unless E2E_KEEP_DATA is set.
const fs = require('node:fs');
const path = require('node:path');

module.exports = async function globalTeardown() {
  const stateFile = path.join(__dirname, '.stack.json');
  if (!fs.existsSync(stateFile)) return;
  const st = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  try {
    process.kill(st.pid, 'SIGTERM');
  } catch (e) { /* already gone */ }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(st.pid, 0);
    } catch (e) {
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(st.pid, 'SIGKILL');
  } catch (e) { /* stopped */ }
  if (!process.env.E2E_KEEP_DATA) {
    fs.rmSync(st.dataDir, { recursive: true, force: true });
  } else {
    console.log('kept the stack data dir ' + st.dataDir);
  }
  fs.rmSync(stateFile, { force: true });
};
