// Issue 9, items 1, 6 and 11: an answer that feeds a rate (the citizen's
// opinion, 息诉罢访, the screening outcome) is never chosen for the worker;
// each save says "已保存到本机" and the queued action shows what was typed;
// a case in follow-up shows one row per clock in one date format.
const { test, expect } = require('@playwright/test');
const { phoneContext, login, apiAs, openCase, WIDTHS, shot } = require('./helpers');

const users = { 360: 'cun2', 320: 'cun3' };

for (const width of WIDTHS) {
  test(`${width} px: closure opinion and 息诉罢访 start empty and must be chosen`, async ({ browser, playwright, baseURL }) => {
    const context = await phoneContext(browser, width);
    const page = await context.newPage();
    await login(page, users[width]);
    const caseId = await openCase(page, '事项办理');
    await context.setOffline(true);
    const form = page.getByTestId('command-form');

    // 办结反馈: no opinion is chosen; saving without one is refused and says what is missing.
    await page.getByRole('button', { name: '办结反馈' }).click();
    const opinions = form.getByTestId('opinion').getByRole('radio');
    await expect(opinions).toHaveCount(4);
    for (const r of await opinions.all()) await expect(r).not.toBeChecked();
    await form.getByLabel('处理结果（告知信访人的内容）').fill(`${width} 办结：已协调解决`);
    await form.getByRole('button', { name: '保存办结反馈' }).click();
    await expect(form.getByRole('alert')).toHaveText('请先询问信访人并选择：信访人意见');
    await expect(form.getByTestId('opinion')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('pending')).toHaveText('已全部同步'); // nothing was queued
    await shot(page, `../docs/screenshots/opinion-required-${width}.png`);

    await form.getByLabel('比较满意').check();
    await form.getByRole('button', { name: '保存办结反馈' }).click();
    await expect(page.getByTestId('saved')).toHaveText('已保存到本机，联网后自动上传');
    await expect(page.getByTestId('status')).toHaveText('待回访');
    await expect(page.getByTestId('pending')).toHaveText('1 条未同步');
    // The queued action shows what was typed, not only its label.
    await expect(page.getByTestId('pending-event').first()).toContainText(`${width} 办结：已协调解决`);

    // One row per clock, one date format (YYYY-MM-DD).
    const handling = page.getByTestId('handling-due');
    const followUp = page.getByTestId('follow-up-due');
    await expect(followUp).toHaveText(/^剩 \d+ 天\s*\d{4}-\d{2}-\d{2} 前（15 日内）$/);
    const followDate = (await followUp.innerText()).match(/\d{4}-\d{2}-\d{2}/)[0];
    await expect(handling).toHaveText(/^\d{4}-\d{2}-\d{2} 前（.+）$/);
    await expect(handling).not.toContainText(followDate);
    await expect(handling).not.toContainText('回访');
    const head = await page.locator('.case-head').innerText();
    expect(head).not.toMatch(/(^|[^\d-])\d{2}-\d{2}(?!\d)/); // no bare month-day date
    await shot(page, `../docs/screenshots/follow-up-clocks-${width}.png`);

    // 终结回访: neither answer is chosen.
    await page.getByRole('button', { name: '终结回访' }).click();
    await expect(form.getByRole('button', { name: '已息诉罢访' })).toHaveAttribute('aria-pressed', 'false');
    await expect(form.getByRole('button', { name: '未息诉罢访' })).toHaveAttribute('aria-pressed', 'false');
    await form.getByLabel('回访情况').fill('回访：信访人表示问题已解决');
    await form.getByRole('button', { name: '保存终结回访' }).click();
    await expect(form.getByRole('alert')).toHaveText('请先询问信访人并选择：是否息诉罢访');
    await expect(form.getByTestId('resolved')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('pending')).toHaveText('1 条未同步');
    await form.getByRole('button', { name: '已息诉罢访' }).click();
    await form.getByRole('button', { name: '保存终结回访' }).click();
    await expect(page.getByTestId('saved')).toHaveText('已保存到本机，联网后自动上传');
    await expect(page.getByTestId('pending')).toHaveText('2 条未同步');
    await expect(page.getByTestId('status')).toHaveText('已化解');

    await context.setOffline(false);
    await expect(page.getByTestId('pending')).toHaveText('已全部同步', { timeout: 30_000 });
    const township = await apiAs(playwright, baseURL, 'zhen2');
    const detail = await (await township.get(`/api/cases/${caseId}`)).json();
    expect(detail.case.opinion).toBe('fairly_satisfied');
    expect(detail.case.lifecycle.resolved).toBe(true);
    await context.close();
  });

  test(`${width} px: the screening outcome starts empty and must be chosen`, async ({ browser }) => {
    const context = await phoneContext(browser, width);
    const page = await context.newPage();
    await login(page, 'zhen1'); // the station screens matters nobody has taken on yet
    await openCase(page, '甄别受理');
    const form = page.getByTestId('command-form');
    await page.getByRole('button', { name: '甄别受理' }).click();
    await expect(form.getByLabel('甄别结果 *')).toHaveValue('');
    await form.getByLabel('甄别说明').fill('上门了解后甄别');
    await form.getByRole('button', { name: '保存甄别受理' }).click();
    await expect(form.getByRole('alert')).toHaveText('请先询问信访人并选择：甄别结果');
    await expect(form.getByLabel('甄别结果 *')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('pending')).toHaveText('已全部同步');

    // The same in 排查登记.
    await page.getByRole('link', { name: '排查登记' }).click();
    await expect(page.getByTestId('new-case-form').getByLabel('甄别结果 *')).toHaveValue('');
    await context.close();
  });
}
