// Browser tests of the jobordre console. `make test-browser` (part of `make test`) builds the
// jobordre binary and runs them; global-setup.js starts a real `jobordre dev` stack (embedded
// Temporal, SQLite, worker, HTTP server) for the whole run. See docs/console.md.
const { defineConfig } = require('@playwright/test');

module.exports = defineConfig({
  testDir: './tests',
  globalSetup: require.resolve('./global-setup.js'),
  globalTeardown: require.resolve('./global-teardown.js'),
  // One stack on a 2-core machine: the tests run one at a time, in file order.
  workers: 1,
  fullyParallel: false,
  timeout: Number(process.env.E2E_TIMEOUT || 90_000),
  expect: { timeout: 15_000 },
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    locale: 'da-DK',
    timezoneId: 'Europe/Copenhagen',
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      // Debian's Chromium (apt-get install chromium); a browser download is not possible here.
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      // Root (CI) needs --no-sandbox.
      args: ['--no-sandbox'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
