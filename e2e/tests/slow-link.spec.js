// A village agent's first sign-in on a 2G-class link: the app is already
// loaded (it is cached on the phone after the first visit), then the link is
// throttled to 250 kbit/s with 300 ms latency and the agent signs in. The
// first pull of their matters must complete within 10 s.
const { test, expect } = require('@playwright/test');
const { PASSWORD } = require('./helpers');

test('the first pull of a village agent completes within 10 s at 250 kbit/s, 300 ms', async ({ browser }) => {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    // The service worker would answer outside the throttled page network.
    serviceWorkers: 'block',
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByLabel('用户名')).toBeVisible();

  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 300,
    downloadThroughput: (250 * 1000) / 8,
    uploadThroughput: (250 * 1000) / 8,
  });
  let pulled = 0;
  page.on('response', async (r) => {
    if (r.url().includes('/api/sync/pull')) pulled += (await r.body()).length;
  });

  await page.getByLabel('用户名').fill('wangge1');
  await page.getByLabel('密码').fill(PASSWORD);
  const started = Date.now();
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('case-card').first()).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('pending')).toHaveText('已全部同步', { timeout: 20_000 });
  const seconds = (Date.now() - started) / 1000;
  console.log(`first pull on 250 kbit/s, 300 ms: ${seconds.toFixed(1)} s (${pulled} bytes of JSON after decompression)`);
  expect(pulled).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(10);
  await context.close();
});
