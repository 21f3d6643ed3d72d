// The desk workbench (/desk/) at 1280 px: a matter from intake to archive,
// each step by the role that takes it, a wrong role refused in the UI (no
// form) and by the API (403); the XLSX ledger opened; print previews of the
// 代办单 and 处置单; a screenshot of every desk page (docs/screenshots/desk/).
//
// The tests run in order (one worker): each step works on the matter the
// intake test registered.
const { test, expect } = require('@playwright/test');
const zlib = require('zlib');
const fs = require('fs');
const { PASSWORD, apiAs } = require('./helpers');

const SHOTS = '../docs/screenshots/desk';
const W = { width: 1280, height: 900 };
test.use({ viewport: W, screenshot: 'only-on-failure' });

async function deskLogin(browser, username) {
  const context = await browser.newContext({ viewport: W, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto('/desk/');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('who')).toBeVisible();
  return page;
}

async function openCase(page, id) {
  await page.goto(`/desk/#/case/${id}`);
  await expect(page.getByTestId('actions')).toBeVisible();
}

// Selects the first option of a <select> whose text contains `text`.
async function selectContaining(select, text) {
  const find = () => select.evaluate((el, t) => {
    const o = [...el.options].find((x) => x.value && x.textContent.includes(t));
    return o ? o.value : null;
  }, text);
  // The options may still be loading.
  await expect.poll(find, { message: `an option with “${text}”` }).not.toBeNull();
  const value = await find();
  await select.selectOption(value);
}

async function firstOption(select) {
  const value = await select.evaluate((el) => [...el.options].find((x) => x.value).value);
  await select.selectOption(value);
}

// Submits the form of one action and waits for the matter to reload with it.
async function act(page, kind, fill, expectText) {
  const form = page.getByTestId(`form-${kind}`);
  await expect(form).toBeVisible();
  if (fill) await fill(form);
  await form.getByRole('button').last().click();
  if (expectText) await expect(page.getByTestId('timeline')).toContainText(expectText);
  await expect(form.getByRole('alert')).toHaveCount(0);
}

// The text of one entry of a ZIP file (an XLSX is one), with node's zlib.
function zipEntry(buf, name) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28), extra = buf.readUInt16LE(p + 30), comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const entry = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (entry === name) {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + size);
      return (method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8');
    }
    p += 46 + nameLen + extra + comment;
  }
  return null;
}

let caseId;
let caseNumber;
// Whether the server computes the desk's actions (merged from main).
let deskReady = false;

test('a desk user signing in to the field app lands on the desk; a field agent is sent to the field app', async ({ browser }) => {
  const context = await browser.newContext({ viewport: W });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByLabel('用户名').fill('zhen1');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/desk\/$/);
  await expect(page.getByTestId('who')).toContainText('张桂芳');
  await page.getByRole('button', { name: '退出' }).click();
  await expect(page.getByRole('button', { name: '登录' })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/login.png` });
  await page.getByLabel('用户名').fill('wangge1');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  // The field app keeps its own signed-in user on the device: the agent
  // signs in there (the desk signed them out).
  await page.waitForURL((u) => !u.pathname.startsWith('/desk'));
  await expect(page.getByRole('main').getByRole('button', { name: '登录' })).toBeVisible();
  expect((await page.request.get('/api/me')).status()).toBe(401);
  await context.close();
});

test('intake (zhen1): every 代办单 field, checked per field, possible duplicates before saving', async ({ browser, playwright, baseURL }) => {
  // An open matter of the same person with a similar request: a possible duplicate.
  const api = await apiAs(playwright, baseURL, 'zhen1');
  const me = await (await api.get('/api/me')).json();
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const earlier = await api.post('/api/cases', { data: {
    unit_id: me.unit_id, citizen_name: '巴图·那顺', id_number: '11010519491231002X', phone: '13948302101',
    summary: '草场补助款未按时发放，要求尽快发放', channel: 'phone', source: 'citizen', level: 'township', received_on: today,
  } });
  expect(earlier.status()).toBe(201);
  const page = await deskLogin(browser, 'zhen1');
  await page.getByRole('link', { name: '登记' }).click();
  const form = page.getByTestId('intake');
  await form.getByLabel('信访渠道').selectOption('visit');
  await form.getByLabel('事项来源').selectOption('citizen');
  await form.getByLabel('信访人姓名').fill('巴图·那顺');
  await form.getByLabel('身份证号').fill('152921198001011234');
  await expect(form.locator('.field-error')).toContainText('身份证号');
  await form.getByLabel('身份证号').fill('11010519491231002X');
  await form.getByLabel('联系电话').fill('139483');
  await expect(form.locator('.field-error')).toHaveCount(1);
  await form.getByLabel('联系电话').fill('13948302101');
  await expect(form.locator('.field-error')).toHaveCount(0);
  await form.getByLabel('住址').fill('巴彦浩特镇乌兰布和嘎查3组');
  await form.getByLabel('事项级别').selectOption('township');
  await form.getByLabel('内容分类').selectOption('herding');
  await form.getByLabel('反映的问题及诉求').fill('草场补助款未按时发放，涉及自然资源和社保两个部门，要求尽快发放并补缴养老保险');
  await form.getByLabel('内容摘要').fill('草场补助款与养老保险');
  await page.screenshot({ path: `${SHOTS}/intake.png`, fullPage: true });
  await form.getByRole('button', { name: '检查并登记' }).click();
  // The possible duplicates (or why they could not be checked) come first;
  // the user confirms to save anyway.
  await expect(form.getByTestId('duplicates')).toContainText('身份证号相同');
  await expect(form.getByRole('button', { name: '确认登记' })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/intake-duplicates.png`, fullPage: true });
  await form.getByRole('button', { name: '确认登记' }).click();
  await page.waitForURL(/#\/case\/\d+$/);
  caseId = Number(page.url().split('/').pop());
  await expect(page.getByTestId('actions')).toBeVisible();
  caseNumber = (await page.locator('.case-head h1').innerText()).split(/\s/)[0];
  const detail = await (await page.request.get(`/api/cases/${caseId}`)).json();
  expect(detail.case.citizen_name).toBe('巴图·那顺');
  expect(detail.case.phone).toBe('13948302101');
  deskReady = Array.isArray(detail.actions) && detail.actions.includes('screen');
  await page.screenshot({ path: `${SHOTS}/case-new.png`, fullPage: true });
  await page.context().close();
});

test('screening, assignment, category, transfer to two departments (zhen1)', async ({ browser }) => {
  expect(deskReady).toBe(true);
  const page = await deskLogin(browser, 'zhen1');
  await openCase(page, caseId);
  await act(page, 'screen', async (f) => {
    await f.getByLabel('甄别结果').selectOption('accept_agency');
    await firstOption(f.getByLabel('代办员', { exact: true }));
    await f.getByLabel('甄别意见').fill('属代办范围，受理代办');
  }, '甄别：受理代办');
  await act(page, 'assign', async (f) => {
    await selectContaining(f.getByLabel('代办员', { exact: true }), '巴彦浩特镇');
    await f.getByText('信访人自选的代办员').click();
  }, '信访人自选代办员');
  await act(page, 'categorise', async (f) => { await f.getByLabel('内容分类').selectOption('herding'); }, '内容分类');
  await act(page, 'transfer', async (f) => {
    await selectContaining(f.getByLabel('承办单位'), '自然资源');
    await f.getByLabel('拟办意见').fill('请核实草场补助发放情况');
  }, '流转至');
  await act(page, 'transfer', async (f) => {
    await selectContaining(f.getByLabel('承办单位'), '人力资源');
    await f.getByLabel('拟办意见').fill('请核实养老保险补缴政策');
  });
  await expect(page.getByTestId('disposition')).toHaveCount(2);
  // The station does not answer a department's 处置单: no form, and the API refuses.
  await expect(page.getByTestId('form-department_reply')).toHaveCount(0);
  const detail = await (await page.request.get(`/api/cases/${caseId}`)).json();
  const unitId = detail.dispositions[0].unit_id;
  const r = await page.request.post(`/api/cases/${caseId}/commands`, { data: { kind: 'department_reply', unit_id: unitId, result: '越权回复' } });
  expect(r.status()).toBe(403);
  await page.screenshot({ path: `${SHOTS}/case-transferred.png`, fullPage: true });
  await page.context().close();
});

test('each department replies on its own 处置单 (bm1, bm2)', async ({ browser }) => {
  expect(deskReady).toBe(true);
  for (const [user, result] of [['bm1', '已核实，补助款将于本月发放'], ['bm2', '符合补缴条件，已办理']]) {
    const page = await deskLogin(browser, user);
    await expect(page.getByTestId('queue-transferred')).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/inbox-${user}.png`, fullPage: true });
    await openCase(page, caseId);
    // A department only answers: no transfer, no escalation.
    await expect(page.getByTestId('form-transfer')).toHaveCount(0);
    await expect(page.getByTestId('form-escalate')).toHaveCount(0);
    // Its own 处置单 only, without the citizen's contacts: no 代办单, no dossier.
    await expect(page.getByTestId('print-disposition')).toHaveCount(1);
    await expect(page.getByTestId('print-agency')).toHaveCount(0);
    await act(page, 'department_reply', async (f) => { await f.getByLabel('处理结果').fill(result); }, '承办单位回复处理结果');
    await expect(page.getByTestId('dispositions')).toContainText(result);
    await page.context().close();
  }
});

test('a township task group (巴彦浩特镇自然资源组) works its own queue: the herding matter is there', async ({ browser }) => {
  expect(deskReady).toBe(true);
  const page = await deskLogin(browser, 'zyz1');
  await expect(page.getByTestId('queue-group')).toBeVisible();
  await expect(page.getByTestId('queue-to_screen')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/inbox-task-group.png`, fullPage: true });
  await page.getByTestId('queue-group').click();
  const detail = await (await page.request.get(`/api/cases/${caseId}`)).json();
  await expect(page.getByText(detail.case.number)).toBeVisible();
  const listed = await (await page.request.get('/api/desk/cases?queue=group&limit=200')).json();
  expect(listed.items.length).toBeGreaterThan(0);
  expect(listed.items.every((c) => c.task_group === 'natural_resources')).toBe(true);
  await page.context().close();
});

test('leader instruction (zhenld1), plan fixed (the limit moves), urging (zhen1)', async ({ browser }) => {
  expect(deskReady).toBe(true);
  const leader = await deskLogin(browser, 'zhenld1');
  await openCase(leader, caseId);
  await act(leader, 'leader_instruction', async (f) => { await f.getByLabel('领导批示').fill('请两部门协同，月底前办结'); }, '领导批示');
  await leader.context().close();

  const page = await deskLogin(browser, 'zhen1');
  await openCase(page, caseId);
  const before = await page.getByTestId('due').innerText();
  await act(page, 'fix_plan', async (f) => {
    await expect(f.getByTestId('fix-plan-hint')).toContainText('30 个工作日');
  }, '确定解决方案');
  await expect(page.getByTestId('due')).not.toHaveText(before);
  await act(page, 'urge', async (f) => { await f.getByLabel('催办意见').fill('请加快办理'); }, '催办');
  await page.screenshot({ path: `${SHOTS}/case-detail.png`, fullPage: true });
  await page.context().close();
});

test('escalation to the banner: qi1 sees it under 上报待办; zhen1 still reads it, with no action and a 403', async ({ browser }) => {
  expect(deskReady).toBe(true);
  const page = await deskLogin(browser, 'zhen1');
  await openCase(page, caseId);
  await act(page, 'escalate', async (f) => { await f.getByLabel('上报理由').fill('涉及旗级部门政策，需旗代办中心协调'); }, '上报');
  await page.reload();
  await expect(page.getByTestId('read-only')).toBeVisible();
  await expect(page.locator('[data-test^=form-]')).toHaveCount(0);
  const r = await page.request.post(`/api/cases/${caseId}/commands`, { data: { kind: 'urge', note: '越级催办' } });
  expect(r.status()).toBe(403);
  await page.screenshot({ path: `${SHOTS}/case-read-only.png`, fullPage: true });
  await page.context().close();

  const qi = await deskLogin(browser, 'qi1');
  const queue = qi.getByTestId('queue-escalated');
  await expect(queue.locator('.count')).not.toHaveText('0');
  await qi.screenshot({ path: `${SHOTS}/inbox.png`, fullPage: true });
  await queue.click();
  await expect(qi.getByTestId('case-table')).toContainText(caseNumber);
  await qi.screenshot({ path: `${SHOTS}/list-escalated.png`, fullPage: true });
  await qi.context().close();
});

test('closure (qi1), review at the level above (meng1), conclusion, follow-up, archive', async ({ browser }) => {
  expect(deskReady).toBe(true);
  const qi = await deskLogin(browser, 'qi1');
  await openCase(qi, caseId);
  await act(qi, 'close', async (f) => {
    await f.getByLabel('方式').selectOption('phone');
    await f.getByLabel('告知形式').selectOption('written');
    await f.getByLabel('信访人意见').selectOption('dissatisfied');
    await f.getByLabel('办理结果').fill('补助款已发放，养老保险已补缴');
  }, '办结反馈');
  await act(qi, 'request_review', async (f) => { await f.getByLabel('申请理由').fill('信访人对补缴金额有异议，申请复查'); }, '申请复查');
  // The banner does not decide the review of its own handling.
  await expect(qi.getByTestId('form-review_decided')).toHaveCount(0);
  const r = await qi.request.post(`/api/cases/${caseId}/commands`, { data: { kind: 'review_decided', claim_reasonable: false, note: '自查' } });
  expect(r.status()).toBe(403);
  await qi.context().close();

  const meng = await deskLogin(browser, 'meng1');
  await expect(meng.getByTestId('queue-reviews').locator('.count')).not.toHaveText('0');
  await openCase(meng, caseId);
  await act(meng, 'review_decided', async (f) => {
    await f.getByLabel('结论').selectOption('no');
    await f.getByLabel('复查/复核意见').fill('原处理意见正确，予以维持');
  }, '维持原处理意见');
  await meng.context().close();

  const page = await deskLogin(browser, 'qi1');
  await openCase(page, caseId);
  await act(page, 'accept_outcome', null, '事项终结');
  await act(page, 'follow_up', async (f) => {
    await f.getByLabel('方式').selectOption('in_person');
    await f.getByLabel('是否息诉罢访').selectOption('yes');
    await f.getByLabel('回访情况').fill('信访人表示不再上访');
  }, '息诉罢访');
  await expect(page.getByTestId('dossier-check')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/case-archive.png`, fullPage: true });
  await act(page, 'archive', null, '整理归档');
  await expect(page.locator('.badge')).toHaveText('已归档');
  await page.context().close();
});

test('pages at 1280 px: inbox, list with filters, admin', async ({ browser }) => {
  const page = await deskLogin(browser, 'zhen1');
  await expect(page.getByRole('heading', { name: '待办' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: `${SHOTS}/inbox-zhen1.png`, fullPage: true });
  await page.getByRole('link', { name: '事项', exact: true }).click();
  await expect(page.getByTestId('filters')).toBeVisible();
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: `${SHOTS}/list.png`, fullPage: true });
  // Usable at 1024 px: nothing wider than the window.
  await page.setViewportSize({ width: 1024, height: 768 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/list-1024.png`, fullPage: true });
  await page.context().close();

  const admin = await deskLogin(browser, 'admin');
  await expect(admin.getByRole('heading', { name: '管理' })).toBeVisible();
  await expect(admin.getByTestId('users')).toContainText('zhen1');
  // A new year's schedule entered by the administrator, and the 编号 prefix.
  const cal = admin.locator('form[data-test="calendar"]');
  await cal.getByLabel('年份').fill('2031');
  await cal.getByRole('button', { name: '读取' }).click();
  await expect(admin.getByText('2031 年尚无放假安排').first()).toBeVisible();
  await cal.getByLabel('放假和调休安排').fill('2031-01-01 休\n2031-01-26 班');
  await cal.getByRole('button', { name: '保存日历' }).click();
  await expect(admin.getByText('已保存 2031 年放假和调休安排（2 天）')).toBeVisible();
  await admin.waitForLoadState('networkidle');
  await admin.screenshot({ path: `${SHOTS}/admin.png`, fullPage: true });
  await admin.context().close();
});

test('an administrator disables an account: its session ends at once; enabled again, it signs in', async ({ browser, playwright, baseURL }) => {
  const agent = await apiAs(playwright, baseURL, 'cun3');
  expect((await agent.get('/api/me')).status()).toBe(200);
  const admin = await deskLogin(browser, 'admin');
  const row = admin.getByTestId('users').locator('tr').filter({ hasText: 'cun3' });
  await expect(row).toContainText('正常');
  await row.getByRole('button', { name: '停用' }).click();
  await expect(row).toContainText('已停用');
  // The open session ends at once; signing in again is refused with the reason.
  expect((await agent.get('/api/me')).status()).toBe(401);
  const fresh = await playwright.request.newContext({ baseURL });
  const refused = await fresh.post('/api/login', { data: { username: 'cun3', password: PASSWORD } });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).message).toContain('账号已停用');
  await admin.screenshot({ path: `${SHOTS}/admin-disabled.png`, fullPage: true });
  await row.getByRole('button', { name: '启用' }).click();
  await expect(row).toContainText('正常');
  expect((await fresh.post('/api/login', { data: { username: 'cun3', password: PASSWORD } })).status()).toBe(200);
  await fresh.dispose();
  await agent.dispose();
  await admin.context().close();
});

test('the XLSX ledger with the current filters is downloaded and read', async ({ browser }) => {
  const page = await deskLogin(browser, 'zhen1');
  await page.goto('/desk/#/cases');
  await page.getByLabel('阶段').selectOption('handling');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('ledger').click()]);
  expect(download.url()).toContain('stage=handling');
  const file = test.info().outputPath('ledger.xlsx');
  await download.saveAs(file);
  const buf = fs.readFileSync(file);
  expect(buf.subarray(0, 2).toString()).toBe('PK');
  const strings = zipEntry(buf, 'xl/sharedStrings.xml') || zipEntry(buf, 'xl/worksheets/sheet1.xml');
  expect(strings).toContain('编号');
  expect(strings).toMatch(/阿左代〔\d{4}〕\d{3}号/);
  await page.context().close();
});

test('print previews of the 代办单 and a 处置单', async ({ browser, playwright, baseURL }) => {
  const api = await apiAs(playwright, baseURL, 'zhen1');
  const cases = await (await api.get('/api/cases')).json();
  const c = cases.find((k) => k.stage === 'handling');
  const page = await deskLogin(browser, 'zhen1');
  await page.emulateMedia({ media: 'print' });
  await page.goto(`/print/cases/${c.id}/agency-form`);
  await expect(page.getByText('信访事项代办单').first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/print-agency-form.png`, fullPage: true });
  const detail = caseId ? await (await api.get(`/api/cases/${caseId}`)).json() : null;
  const d = detail && detail.dispositions && detail.dispositions[0];
  expect(d, 'the matter of the flow has its 处置单').toBeTruthy();
  const url = `/print/cases/${caseId}/disposition/${d.unit_id}`;
  await page.goto(url);
  await expect(page.getByText('处置单').first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/print-disposition.png`, fullPage: true });
  await page.context().close();
});
