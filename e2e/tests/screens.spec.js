// Screenshots of each screen at 360 px wide, for docs/screenshots.
const { test, expect } = require('@playwright/test');
const { phoneContext, login, shot } = require('./helpers');

test('screens at 360 px: login, list with filters, case, device', async ({ browser }) => {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('button', { name: '登录' })).toBeVisible();
  await login(page, 'zhen1');
  await page.getByRole('button', { name: '已超期' }).click();
  await expect(page.getByTestId('case-count')).not.toHaveText('0 件');
  // Nothing is wider than the phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.getByRole('button', { name: '全部', exact: true }).click();
  await page.getByTestId('case-card').first().click();
  await page.getByText('信访事项处置单').click();
  await page.getByRole('link', { name: '本机' }).click();
  await expect(page.getByTestId('storage-use')).toContainText('MB');
  await shot(page, '../docs/screenshots/device.png');
  // Tap targets are at least 44 px high (layout.spec.js measures width too).
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('button, .btn, .tabs a, input, select, textarea')]
      .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 44)
      .map((el) => el.outerHTML.slice(0, 80)));
  expect(small).toEqual([]);
  await context.close();
});
