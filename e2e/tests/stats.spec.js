// 统计 at 1280 px: the banner centre opens the statistics of its banner,
// reads a figure (numerator, denominator, rate against the county target),
// clicks its numerator and lands on exactly the matters behind it; the
// channel chart is SVG drawn in the page. Screenshot to
// docs/screenshots/desk/stats.png.
const { test, expect } = require('@playwright/test');
const { PASSWORD } = require('./helpers');

const SHOTS = '../docs/screenshots/desk';
const W = { width: 1280, height: 900 };
test.use({ viewport: W, screenshot: 'only-on-failure' });

test('a figure drills down to the matters behind it', async ({ browser }) => {
  const context = await browser.newContext({ viewport: W, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto('/desk/');
  await page.getByLabel('用户名').fill('qi1');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('who')).toBeVisible();
  await page.getByRole('link', { name: '统计' }).click();
  await expect(page.getByTestId('stats-heading')).toContainText('阿拉善左旗');

  // The closure rate: numerator and denominator as the API counts them.
  const api = await page.evaluate(async () => (await fetch('/api/stats')).json());
  const closure = api.figures.find((f) => f.kind === 'closure');
  expect(closure.denominator).toBeGreaterThan(0);
  const row = page.getByTestId('figure-closure');
  await expect(row.getByTestId('numerator')).toHaveText(String(closure.numerator));
  await expect(row.getByTestId('denominator')).toHaveText(String(closure.denominator));
  await expect(row).toContainText('≥ 80.00%');
  await expect(row.getByTestId('rate')).toHaveText(/%$/);
  // Charts are SVG in the page.
  await expect(page.getByTestId('trend')).toBeVisible();
  expect(await page.locator('svg.chart rect.bar').count()).toBeGreaterThan(0);
  await page.screenshot({ path: `${SHOTS}/stats.png`, fullPage: true });

  // The numerator opens the list of exactly those matters.
  await row.getByTestId('denominator').click();
  await expect(page.getByTestId('drill')).toContainText('代办事项');
  await expect(page.getByTestId('total')).toContainText(`共 ${closure.denominator} 件`);
  await page.goBack();
  await page.getByTestId('figure-closure').getByTestId('numerator').click();
  await expect(page.getByTestId('drill')).toContainText('已办结的代办事项');
  await expect(page.getByTestId('total')).toContainText(`共 ${closure.numerator} 件`);
  const rows = await page.getByTestId('case-row').count();
  expect(rows).toBe(Math.min(closure.numerator, 20));
  await page.screenshot({ path: `${SHOTS}/stats-drill.png`, fullPage: true });
  await context.close();
});
