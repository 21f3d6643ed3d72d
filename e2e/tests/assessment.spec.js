// 考核, 通报 and 代办员考评 at 1280 px, as the township station (zhen1):
// the villages of 巴彦浩特镇 ranked; 巴彦霍德嘎查 gets organisation checks (one
// with a PDF, one withdrawn with a reason) and a 进京越级访 with a PNG, which
// costs 3 points and calls for a 约谈通知; the station issues it, prints it
// (number, village, reason) and records the signed receipt. Then the
// bulletin's print page and XLSX, and the agents' appraisal. Screenshots to
// docs/screenshots/desk/. The tests share one signed-in page, in order.
const { test, expect } = require('@playwright/test');
const { PASSWORD, shot } = require('./helpers');

const SHOTS = '../docs/screenshots/desk';
const W = { width: 1280, height: 900 };
test.use({ viewport: W, screenshot: 'only-on-failure' });
test.describe.configure({ mode: 'serial' });

const VILLAGE = '巴彦霍德嘎查';
// A small valid PDF (one empty page).
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

let context;
let page;
let village; // { id, year }
let letterNumber;

function todayChina() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

// The village's assessment as the API has it now.
async function view() {
  return page.evaluate(async ({ id, year }) => (await fetch(`/api/assessment/${id}?year=${year}`)).json(), village);
}

async function addEntry(kind, item, note, file) {
  const form = page.getByTestId('entry-form');
  await form.locator('select[name=kind]').selectOption(kind);
  if (item) await form.locator('select[name=item]').selectOption(item);
  await form.locator('textarea[name=note]').fill(note);
  if (file) await form.locator('input[name=evidence]').setInputFiles(file);
  const entries = page.getByTestId('entries').getByTestId('entry');
  const n = await entries.count();
  await form.getByRole('button', { name: '登记', exact: true }).click();
  await expect(entries).toHaveCount(n + 1);
  await expect(form.getByRole('status')).toContainText('已登记');
}

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext({ viewport: W, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  page = await context.newPage();
  await page.goto('/desk/');
  await page.getByLabel('用户名').fill('zhen1');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('who')).toBeVisible();
});

test.afterAll(async () => {
  await context?.close();
});

test('考核 ranks the villages of the township', async () => {
  await page.getByRole('link', { name: '考核', exact: true }).click();
  const ranking = page.getByTestId('assessment-ranking');
  await expect(ranking).toBeVisible();
  const rows = ranking.getByTestId('assessment-row');
  await expect(rows.filter({ hasText: VILLAGE })).toHaveCount(1);
  await expect(rows.filter({ hasText: '乌兰布和嘎查' })).toHaveCount(1);
  // Only the township's own villages.
  await expect(rows.filter({ hasText: '吉兰泰嘎查' })).toHaveCount(0);
  for (const t of await ranking.getByTestId('total').allTextContents()) expect(t).toMatch(/^\d+\.\d\d$/);
  await expect(rows.first().locator('td').first()).toHaveText('1');
  await shot(page, `${SHOTS}/assessment.png`);
});

test('a village: records, its score, the 约谈 issued, printed and signed for', async () => {
  await page.getByTestId('assessment-row').filter({ hasText: VILLAGE }).getByRole('link').click();
  await expect(page).toHaveURL(/#\/assessment\/\d+\?year=\d{4}$/);
  const m = page.url().match(/#\/assessment\/(\d+)\?year=(\d{4})$/);
  village = { id: Number(m[1]), year: Number(m[2]) };
  await expect(page.getByTestId('village-name')).toHaveText(VILLAGE);
  await expect(page.getByTestId('rank')).toHaveText(/^巴彦浩特镇第 \d+ \/ \d+ 名$/);
  const before = await view();

  // Two organisation checks (the first with a PDF) and a 进京越级访 with a PNG.
  await addEntry('organisation', 'team', '代办员队伍 6 人，分工明确', {
    name: '代办员名册.pdf',
    mimeType: 'application/pdf',
    buffer: PDF,
  });
  await expect(page.getByTestId('entry-form').getByRole('status')).toContainText('已上传');
  await addEntry('organisation', 'office', '代办室设在党群服务中心，有标识');
  const png = await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: 200, height: 120 } });
  // The person-times field shows only for 越级访.
  await expect(page.getByTestId('entry-form').locator('input[name=persons]')).toHaveCount(0);
  await page.getByTestId('entry-form').locator('select[name=kind]').selectOption('over_level');
  await page.getByTestId('entry-form').locator('input[name=persons]').fill('1');
  await addEntry('over_level', 'beijing', '草场补偿纠纷信访人进京上访，国家信访局通报', {
    name: '通报截图.png',
    mimeType: 'image/png',
    buffer: png,
  });
  await expect(page.getByTestId('entry-form').getByRole('status')).toContainText('已上传');

  const after = await view();
  const entries = page.getByTestId('entries').getByTestId('entry');
  await expect(entries).toHaveCount(after.entries.length);
  const beijing = entries.filter({ hasText: '进京越级访' });
  await expect(beijing.getByTestId('evidence')).toHaveText('通报截图.png');
  const href = await beijing.getByTestId('evidence').getAttribute('href');
  const file = await page.request.get(href);
  expect(file.status()).toBe(200);
  expect((await file.body()).length).toBe(png.length);
  await expect(entries.filter({ hasText: '代办员队伍 6 人' }).getByTestId('evidence')).toHaveText('代办员名册.pdf');

  // The page shows the server's score; Beijing costs 3 points.
  expect(after.escalations_entered.to_beijing).toBe(before.escalations_entered.to_beijing + 1);
  await expect(page.getByTestId('score').getByTestId('total')).toHaveText(Number(after.result.total).toFixed(2));
  await expect(page.getByTestId('parts').getByTestId('organisation').getByTestId('points')).toHaveText(
    Number(after.result.organisation).toFixed(2),
  );
  expect(Number(after.result.deducted) - Number(before.result.deducted)).toBeCloseTo(3, 5);
  await expect(page.getByTestId('parts')).toContainText('进京越级访（每人次 −3，约谈召集人）');

  // The 约谈 is due: issue it.
  const due = page.getByTestId('letter-due').filter({ hasText: '约谈通知' });
  await expect(due).toBeVisible();
  await due.getByRole('button', { name: '发函' }).click();
  await expect(page.getByTestId('letters').getByRole('status')).toContainText('已发约谈通知');
  const letter = page.getByTestId('letters-issued').getByTestId('letter').filter({ hasText: '约谈通知' }).last();
  letterNumber = (await letter.getByTestId('letter-number').textContent()).trim();
  expect(letterNumber).toMatch(/〔\d{4}〕\d+号/);

  // Its print page: the number, the village, the reason.
  const [print] = await Promise.all([
    page.waitForEvent('popup'),
    letter.getByTestId('print-letter').click(),
  ]);
  await print.waitForLoadState();
  await expect(print.locator('body')).toContainText(letterNumber);
  await expect(print.locator('body')).toContainText(VILLAGE);
  await expect(print.locator('body')).toContainText('进京越级访');
  await print.setViewportSize(W);
  await print.screenshot({ path: `${SHOTS}/letter-print.png`, fullPage: true });
  await print.close();

  // The signed receipt.
  await letter.getByLabel('签收日期').fill(todayChina());
  await letter.getByLabel('签收人').fill('巴图 嘎查党支部书记');
  await letter.getByRole('button', { name: '登记签收' }).click();
  await expect(
    page.getByTestId('letters-issued').getByTestId('letter').filter({ hasText: letterNumber }).getByTestId('acknowledged'),
  ).toContainText('巴图 嘎查党支部书记');

  // A wrong record is withdrawn with a reason: struck through, no longer counted.
  const office = entries.filter({ hasText: '代办室设在党群服务中心' });
  await office.getByRole('button', { name: '撤回', exact: true }).click();
  await office.getByLabel('撤回原因').fill('重复登记');
  await office.getByRole('button', { name: '确认撤回' }).click();
  await expect(entries.filter({ hasText: '代办室设在党群服务中心' }).getByTestId('withdrawn')).toContainText('重复登记');
  const withdrawn = await view();
  expect(Number(withdrawn.result.organisation)).toBeCloseTo(Number(after.result.organisation) - 2, 5);
  await expect(page.getByTestId('parts').getByTestId('organisation').getByTestId('points')).toHaveText(
    Number(withdrawn.result.organisation).toFixed(2),
  );
  await shot(page, `${SHOTS}/assessment-village.png`);
});

test('通报: the month, its print page and its XLSX', async () => {
  await page.getByRole('link', { name: '通报', exact: true }).click();
  await expect(page.getByTestId('bulletin-title')).toContainText('巴彦浩特镇');
  await expect(page.getByTestId('bulletin-title')).toContainText('信访代办工作通报');
  // This month: the letter just issued is listed.
  const month = todayChina().slice(0, 7);
  await page.getByLabel('月份').fill(month);
  await expect(page.getByTestId('bulletin-title')).toContainText(`${Number(month.slice(5))} 月`);
  await expect(page.getByTestId('bulletin-letters')).toContainText(letterNumber);

  const xlsx = await page.getByTestId('bulletin-xlsx').getAttribute('href');
  expect(xlsx).toContain(`month=${month}`);
  const res = await page.request.get(xlsx);
  expect(res.status()).toBe(200);
  expect((await res.body()).subarray(0, 2).toString()).toBe('PK');

  const [print] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('print-bulletin').click()]);
  await print.waitForLoadState();
  await expect(print.locator('body')).toContainText('信访代办工作通报');
  await expect(print.locator('body')).toContainText(VILLAGE);
  await print.setViewportSize(W);
  await print.screenshot({ path: `${SHOTS}/bulletin.png`, fullPage: true });
  await print.close();

  // The year summary.
  await page.getByLabel('年汇总').check();
  await expect(page.getByTestId('bulletin-title')).toContainText('年度汇总');
  expect(await page.getByTestId('bulletin-xlsx').getAttribute('href')).toMatch(/year=\d{4}/);
});

test('代办员考评 lists the agents with their rates', async () => {
  await page.getByRole('link', { name: '考评', exact: true }).click();
  await expect(page.getByTestId('appraisal-heading')).toContainText('代办员考评');
  const api = await page.evaluate(async () => {
    const y = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 4);
    const m = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 7);
    return (await fetch(`/api/appraisal?from=${y}-01&to=${m}`)).json();
  });
  const rows = page.getByTestId('appraisal').locator('tbody tr');
  await expect(rows).toHaveCount(api.agents.length);
  expect(api.agents.length).toBeGreaterThan(0);
  await expect(rows.first()).toContainText(api.agents[0].name);
  await shot(page, `${SHOTS}/appraisal.png`);
});
