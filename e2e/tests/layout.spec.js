// Issue 9, items 7–9 and 12, at 360 and 320 px: one compact bar (≤ 56 px,
// 立即同步 on one line, details on tap); the deadline filters visible without
// sideways scrolling; every tap target at least 44 × 44 px, measured on every
// screen; the login page has a <main> landmark.
const { test, expect } = require('@playwright/test');
const { phoneContext, login, WIDTHS, shot, smallTapTargets } = require('./helpers');

// Whether an element's text is laid out on a single line.
async function oneLine(locator) {
  return locator.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    return tops.size === 1 && el.scrollWidth <= el.clientWidth;
  });
}

for (const width of WIDTHS) {
  test(`${width} px: login has a main landmark and big targets`, async ({ browser }) => {
    const context = await phoneContext(browser, width);
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.getByRole('button', { name: '登录' })).toBeVisible();
    await expect(page.getByRole('main')).toHaveCount(1);
    await expect(page.getByRole('main').getByRole('button', { name: '登录' })).toBeVisible();
    expect(await smallTapTargets(page)).toEqual([]);
    await page.screenshot({ path: width === 360 ? '../docs/screenshots/login.png' : `../docs/screenshots/login-${width}.png` });
    await context.close();
  });

  test(`${width} px: one compact bar, deadline filters in view, every tap target ≥ 44 px`, async ({ browser }) => {
    const context = await phoneContext(browser, width);
    const page = await context.newPage();
    await login(page, 'zhen1');
    const vw = width;

    // The bar: one sticky row, at most 56 px, 立即同步 on one line.
    const bar = page.getByTestId('statusbar');
    expect((await bar.boundingBox()).height).toBeLessThanOrEqual(56);
    const syncNow = page.getByTestId('sync-now');
    await expect(syncNow).toHaveText('立即同步');
    expect(await oneLine(syncNow)).toBe(true);
    const sb = await syncNow.boundingBox();
    expect(sb.x + sb.width).toBeLessThanOrEqual(vw);
    // What is above the list when scrolled: the bar alone.
    await page.evaluate(() => window.scrollTo(0, 400));
    const stuck = await page.evaluate(() =>
      [...document.querySelectorAll('body *')].filter((el) => getComputedStyle(el).position === 'sticky')
        .map((el) => el.getBoundingClientRect()).filter((r) => r.top <= 0.5 && r.bottom > 0)
        .reduce((h, r) => Math.max(h, r.bottom), 0));
    expect(stuck).toBeLessThanOrEqual(56);
    await page.evaluate(() => window.scrollTo(0, 0));

    // The deadline filters are on screen without scrolling sideways.
    for (const name of ['即将到期', '已超期']) {
      const b = await page.getByRole('button', { name, exact: true }).boundingBox();
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(vw);
      expect(b.y + b.height).toBeLessThanOrEqual(740);
    }
    const chips = page.getByRole('group', { name: '筛选' });
    expect(await chips.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `../docs/screenshots/list-top-${width}.png` });
    expect(await smallTapTargets(page)).toEqual([]);

    // Details on tap, 退出 among them.
    await page.getByTestId('bar-toggle').click();
    await expect(page.getByTestId('bar-details')).toContainText('张桂芳 · 巴彦浩特镇');
    await expect(page.getByTestId('bar-details')).toContainText('上次同步');
    expect(await smallTapTargets(page)).toEqual([]);
    await page.screenshot({ path: `../docs/screenshots/bar-details-${width}.png` });
    await page.getByTestId('bar-toggle').click();
    await expect(page.getByTestId('bar-details')).toHaveCount(0);

    await page.getByRole('button', { name: '已超期' }).click();
    await expect(page.getByTestId('case-count')).not.toHaveText('0 件');
    if (width === 360) await shot(page, '../docs/screenshots/list-overdue.png');
    await page.getByRole('button', { name: '全部', exact: true }).click();

    await context.close();
  });

  test(`${width} px: a case, 排查登记 and 本机 — every tap target ≥ 44 px, nothing wider than the phone`, async ({ browser }) => {
    const context = await phoneContext(browser, width);
    const page = await context.newPage();
    // An agent's own case: it carries the citizen's phone (a link to call).
    await login(page, 'cun1');
    // A case: the 代办单 and 处置单 headers, the phone link, every form control.
    await page.getByTestId('case-card').filter({ hasText: '事项办理' }).first().click();
    await expect(page.getByRole('heading', { name: '新增走访记录' })).toBeVisible();
    await expect(page.locator('a.tel')).toHaveCount(1);
    expect(await smallTapTargets(page)).toEqual([]);
    await page.getByText('信访事项代办单').click();
    await page.getByText('信访事项处置单').click();
    expect(await smallTapTargets(page)).toEqual([]);
    await page.getByRole('button', { name: '办结反馈' }).click();
    await expect(page.getByTestId('command-form')).toBeVisible();
    expect(await smallTapTargets(page)).toEqual([]);
    await shot(page, width === 360 ? '../docs/screenshots/case-detail.png' : `../docs/screenshots/case-detail-${width}.png`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);

    for (const [tab, path] of [['排查登记', 'new-case'], ['本机', 'device']]) {
      await page.getByRole('link', { name: tab }).click();
      await expect(page.locator('.back')).toBeVisible();
      expect(await smallTapTargets(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      if (width === 320) await shot(page, `../docs/screenshots/${path}-${width}.png`);
    }
    await context.close();
  });
}
