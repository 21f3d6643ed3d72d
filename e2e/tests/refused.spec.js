// Issue 9, items 3 and 6: a refused closure shows on the case page with the
// server's reason and what was typed; redoing it starts from that text and
// takes it out of 需处理; an action refused because an earlier one from this
// device was refused says so; the bar counts what needs the worker; a photo
// whose visit was refused goes to 需处理 with it instead of being uploaded.
const { test, expect } = require('@playwright/test');
const { phoneContext, login, apiAs, openCase, makeJpeg, WIDTHS, shot, smallTapTargets } = require('./helpers');

const users = { 360: 'cun2', 320: 'cun3' };
const REASON = '镇里退回：处理结果未写明补助发放时间，请补充后重新反馈';

for (const width of WIDTHS) {
  test(`${width} px: a refused closure is shown on the case with its reason and text, and redone from it`, async ({ browser, playwright, baseURL }) => {
    const context = await phoneContext(browser, width);
    const page = await context.newPage();
    await login(page, users[width]);
    const caseId = await openCase(page, '事项办理');
    const form = page.getByTestId('command-form');
    const result = `${width} 已协调镇农牧站，补助下月发放`;

    await context.setOffline(true);
    await page.getByRole('button', { name: '办结反馈' }).click();
    await form.getByRole('button', { name: '书面告知' }).click();
    await form.getByLabel('不满意').check();
    await form.getByLabel('处理结果（告知信访人的内容）').fill(result);
    await form.getByRole('button', { name: '保存办结反馈' }).click();
    await expect(page.getByTestId('saved')).toHaveText('已保存到本机，联网后自动上传');
    await page.getByRole('button', { name: '申请复查/复核' }).click();
    await form.getByLabel('信访人的复查/复核申请').fill(`${width} 信访人对结果不满意，申请复查`);
    await form.getByRole('button', { name: '保存申请复查/复核' }).click();
    await expect(page.getByTestId('saved')).toHaveText('已保存到本机，联网后自动上传');
    await expect(page.getByTestId('pending')).toHaveText('2 条未同步');

    // The township refuses the closure (the server's answer for that mutation);
    // the review request behind it goes to the server, which refuses it for real.
    let refusedOnce = false;
    await page.route('**/api/sync/push', async (route) => {
      const body = route.request().postDataJSON();
      const close = body.mutations.find((m) => m.change.kind === 'command' && m.change.command.kind === 'close');
      if (!close || refusedOnce) return route.continue();
      refusedOnce = true;
      const rest = { ...body, mutations: body.mutations.filter((m) => m !== close) };
      const resp = await route.fetch({ postData: JSON.stringify(rest) });
      const json = await resp.json();
      json.results.unshift({ id: close.id, status: 'rejected', code: 'conflict', message: REASON });
      return route.fulfill({ response: resp, json });
    });
    await context.setOffline(false);
    // Never "已全部同步" while 需处理 holds something.
    await expect(page.getByTestId('pending')).toHaveText('2 项需处理', { timeout: 30_000 });
    await expect(page.getByTestId('status')).toHaveText('办理中');

    // On the case page: the closure with the reason and the typed text …
    const refused = page.getByTestId('refused-here');
    await expect(refused).toHaveCount(2);
    const closure = refused.filter({ has: page.getByRole('heading', { name: /^被退回：办结反馈/ }) });
    await expect(closure).toContainText(REASON);
    await expect(closure.getByTestId('typed')).toHaveText(`您填写的：${result}`);
    // … and the review request says it failed because the closure was refused.
    const review = refused.filter({ has: page.getByRole('heading', { name: '被退回：申请复查/复核' }) });
    await expect(review).toContainText('只有对办结结果不满意的才能申请复查、复核');
    await expect(review.getByTestId('refused-chain')).toContainText('本机先前的“办结反馈，信访人意见：不满意”已被退回');
    await shot(page, `../docs/screenshots/refused-on-case-${width}.png`);

    // Redo starts from what was typed; saving it takes it out of 需处理.
    await closure.getByRole('button', { name: '重新办理' }).click();
    await expect(form.getByLabel('处理结果（告知信访人的内容）')).toHaveValue(result);
    await expect(form.getByLabel('不满意')).toBeChecked();
    await expect(form.getByRole('button', { name: '书面告知' })).toHaveAttribute('aria-pressed', 'true');
    await form.getByLabel('处理结果（告知信访人的内容）').fill(`${result}，发放时间为下月 10 日前`);
    await form.getByRole('button', { name: '保存办结反馈' }).click();
    await expect(page.getByTestId('saved')).toContainText('已保存到本机');
    await expect(page.getByTestId('pending')).toHaveText('1 项需处理', { timeout: 30_000 });
    await expect(refused).toHaveCount(1);

    // Now the review request can be redone too, from its text.
    await review.getByRole('button', { name: '重新办理' }).click();
    await expect(form.getByLabel('信访人的复查/复核申请')).toHaveValue(`${width} 信访人对结果不满意，申请复查`);
    await form.getByRole('button', { name: '保存申请复查/复核' }).click();
    await expect(page.getByTestId('pending')).toHaveText('已全部同步', { timeout: 30_000 });
    await expect(refused).toHaveCount(0);

    const township = await apiAs(playwright, baseURL, 'zhen2');
    const detail = await (await township.get(`/api/cases/${caseId}`)).json();
    expect(detail.case.opinion).toBe('dissatisfied');
    expect(detail.case.result).toBe(`${result}，发放时间为下月 10 日前`);
    const kinds = detail.timeline.map((e) => e.command.kind);
    expect(kinds.filter((k) => k === 'close')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'request_review')).toHaveLength(1);
    await context.close();
  });

  test(`${width} px: a photo whose visit was refused goes to 需处理 with it, not to the server`, async ({ browser }, testInfo) => {
    const context = await phoneContext(browser, width);
    const page = await context.newPage();
    await login(page, 'cun1');
    const jpeg = await makeJpeg(page, testInfo.outputPath('photo.jpg'));
    await openCase(page, '事项办理');
    let puts = 0;
    await page.route('**/api/cases/*/attachments/*', (route) => { puts++; return route.continue(); });
    await page.route('**/api/sync/push', async (route) => {
      const body = route.request().postDataJSON();
      return route.fulfill({
        json: { results: body.mutations.map((m) => ({ id: m.id, status: 'rejected', code: 'conflict', message: '该事项已归档，不能再添加走访记录' })) },
      });
    });
    await context.setOffline(true);
    await page.locator('input[name=photo]').setInputFiles(jpeg);
    await expect(page.getByTestId('photo-info')).toContainText('压缩后');
    await page.getByLabel('走访情况').fill(`${width} 被退回的走访（带照片）`);
    await page.getByRole('button', { name: '保存记录' }).click();
    await expect(page.getByTestId('pending')).toHaveText('1 条未同步');
    await context.setOffline(false);
    await expect(page.getByTestId('pending')).toHaveText('1 项需处理', { timeout: 30_000 });
    expect(puts).toBe(0);

    await page.getByRole('link', { name: '我的事项', exact: true }).click();
    const item = page.getByTestId('rejected-item');
    await expect(item).toHaveCount(1);
    await expect(item).toContainText('该事项已归档');
    await expect(item).toContainText('附照片 1 张');
    // 查看事项 and 放弃 are big enough for a thumb.
    expect(await smallTapTargets(page)).toEqual([]);
    await shot(page, `../docs/screenshots/needs-worker-${width}.png`);
    await item.getByRole('button', { name: '放弃' }).click();
    await expect(page.getByTestId('rejected')).toHaveCount(0);
    await expect(page.getByTestId('pending')).toHaveText('已全部同步');
    expect(puts).toBe(0);
    await context.close();
  });
}
