// The case's agent and the township station act on the same case offline.
// Both visits are kept; the second closure loses and its device shows it
// under 需处理 with the server's reason.
const { test, expect } = require('@playwright/test');
const { phoneContext, login, shot } = require('./helpers');

test('two devices: visits both kept, the losing closure is shown with its reason', async ({ browser, playwright, baseURL }) => {
  const a = await phoneContext(browser);
  const b = await phoneContext(browser);
  const pa = await a.newPage();
  const pb = await b.newPage();
  await login(pa, 'wangge1');
  await login(pb, 'zhen1');
  // The same open case on both phones: the agent's own, and the station's.
  const card = pa.getByTestId('case-card').filter({ hasText: '事项办理' }).filter({ hasText: '巴特尔' }).first();
  const number = (await card.locator('.num').innerText()).trim();
  await card.click();
  await pb.getByTestId('case-card').filter({ hasText: number }).click();
  const caseId = Number(new URL(pa.url()).hash.replace('#/case/', ''));

  await a.setOffline(true);
  await b.setOffline(true);
  for (const [page, who] of [[pa, '甲'], [pb, '乙']]) {
    await page.getByLabel('走访情况').fill(`${who}设备走访`);
    await page.getByRole('button', { name: '保存记录' }).click();
    await expect(page.getByText('已保存到本机，联网后自动上传')).toBeVisible();
    await page.getByRole('button', { name: '办结反馈' }).click();
    await page.getByTestId('command-form').getByLabel('满意', { exact: true }).check();
    await page.getByTestId('command-form').getByLabel('处理结果（告知信访人的内容）').fill(`${who}设备办结`);
    await page.getByRole('button', { name: '保存办结反馈' }).click();
    await expect(page.getByTestId('status')).toHaveText('待回访');
  }

  await a.setOffline(false);
  await expect(pa.getByTestId('pending')).toHaveText('已全部同步', { timeout: 30_000 });
  await b.setOffline(false);
  // B's closure lost: the bar does not say 已全部同步 but what needs the worker.
  await expect(pb.getByTestId('pending')).toHaveText('1 项需处理', { timeout: 30_000 });

  // B's closure was refused: shown with the reason, and the case shows the server's state.
  await pb.getByRole('link', { name: '我的事项', exact: true }).click();
  const rejected = pb.getByTestId('rejected-item');
  await expect(rejected).toHaveCount(1);
  await expect(rejected).toContainText('办结反馈');
  await expect(rejected).toContainText('只有办理中的事项才能办结反馈');
  await shot(pb, '../docs/screenshots/rejected.png');

  const api = await playwright.request.newContext({ baseURL });
  await api.post('/api/login', { data: { username: 'zhen1', password: 'daiban123' } });
  const detail = await (await api.get(`/api/cases/${caseId}`)).json();
  const notes = detail.visits.map((v) => v.note);
  expect(notes).toContain('甲设备走访');
  expect(notes).toContain('乙设备走访');
  expect(detail.case.result).toBe('甲设备办结');
  expect(detail.timeline.filter((e) => e.command.kind === 'close')).toHaveLength(1);
  await a.close();
  await b.close();
});
