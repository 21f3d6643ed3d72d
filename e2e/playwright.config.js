// Playwright drives Debian's Chromium (/usr/bin/chromium): the registries
// reachable here carry no Playwright browser builds, so never run
// `npx playwright install`.
const { defineConfig } = require('@playwright/test');

const port = process.env.E2E_PORT || '18080';
const baseURL = `http://127.0.0.1:${port}`;

module.exports = defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    baseURL,
    browserName: 'chromium',
    testIdAttribute: 'data-test',
    headless: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--lang=zh-CN',
      ],

    },
  },
  webServer: {
    // A fresh SQLite database with the demo data for every run.
    command: `rm -rf .tmp && mkdir -p .tmp && exec ../target/release/daibantong --demo --database-url "sqlite://.tmp/e2e.db?mode=rwc" --data-dir .tmp --dist ../dist --listen 127.0.0.1:${port}`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
