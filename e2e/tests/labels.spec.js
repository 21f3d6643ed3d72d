// Issue 10: one encoding per code enum. The phone's choices are drawn from
// shared's enums (ALL, as_str, label); the server's OpenAPI document states
// the same enums' codes and labels (code_enum!). If the phone wrote a code
// or a label by hand and it drifted, this test fails.
const { test, expect } = require('@playwright/test');
const { phoneContext, login, openCase } = require('./helpers');

// [[code, label], …] of a code enum, from the API document's schema.
async function codes(request, name) {
  const doc = await (await request.get('/api/openapi.json')).json();
  const schema = doc.components.schemas[name];
  const pairs = schema.description.split('；').filter(Boolean).map((p) => p.split('：'));
  expect(pairs.map((p) => p[0])).toEqual(schema.enum);
  return pairs;
}

test('the phone shows every code enum as the server states it', async ({ browser, request }) => {
  const opinion = await codes(request, 'Opinion');
  const method = await codes(request, 'VisitMethod');
  const notice = await codes(request, 'NoticeForm');
  const route = await codes(request, 'LegalRoute');
  const reason = await codes(request, 'NotTakenReason');
  const channel = await codes(request, 'Channel');
  const level = await codes(request, 'MatterLevel');
  const labels = (pairs) => pairs.map((p) => p[1]);

  const context = await phoneContext(browser);
  const page = await context.newPage();
  await login(page, 'wangge1');
  await openCase(page, '事项办理', '巴特尔');

  // The visit form and the closure form: method, notice, opinion.
  const segs = (form, legend) =>
    form.locator('fieldset').filter({ has: page.locator('legend').getByText(legend, { exact: true }) }).locator('.seg');
  await expect(segs(page.getByTestId('visit-form'), '方式')).toHaveText(labels(method));
  await page.getByRole('button', { name: '办结反馈' }).click();
  const form = page.getByTestId('command-form');
  await expect(segs(form, '方式')).toHaveText(labels(method));
  await expect(segs(form, '告知方式')).toHaveText(labels(notice));
  await expect(form.getByTestId('opinion').locator('label')).toHaveText(labels(opinion));

  // 排查登记: the screening outcomes (legal routes, 不予代办 reasons), channels, levels.
  await page.getByRole('link', { name: '排查登记' }).click();
  const newCase = page.getByTestId('new-case-form');
  const options = async (name) =>
    newCase.locator(`select[name=${name}] option`).evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
  expect(await options('outcome')).toEqual([
    ['', '（请选择）'],
    ['accept', '受理代办（由我代办）'],
    ['direct', '直接答复'],
    ...route.map(([code, label]) => [code, `告知法定途径（${label}）`]),
    ['declined', '不愿代办'],
    ...reason.map(([code, label]) => [code, `不予代办（${label}）`]),
  ]);
  expect(await options('channel')).toEqual(channel);
  const levels = await options('level');
  expect(levels.map((o) => o[0])).toEqual(level.map((p) => p[0]));
  levels.forEach((o, i) => expect(o[1].startsWith(level[i][1])).toBe(true));
  await context.close();
});
