// The citizens' public pages, as a herder's old phone would use them:
// JavaScript off, 320 px wide, Chinese and Mongolian. A matter is looked up
// by its number and the query code a station user can read on the desk.
const { test, expect } = require('@playwright/test');

test.use({ javaScriptEnabled: false, viewport: { width: 320, height: 720 } });

async function aCaseWithItsCode(playwright, baseURL) {
  const api = await playwright.request.newContext({ baseURL });
  const login = await api.post('/api/login', { data: { username: 'zhen1', password: 'daiban123' } });
  expect(login.ok()).toBeTruthy();
  const cases = await (await api.get('/api/cases')).json();
  const c = cases.find((k) => k.stage === 'handling');
  const detail = await (await api.get(`/api/cases/${c.id}`)).json();
  expect(detail.case.query_code).toMatch(/^\d{8}$/);
  return detail.case;
}

test('a citizen looks up their matter without JavaScript, in Chinese and in Mongolian', async ({ page, playwright, baseURL }) => {
  const c = await aCaseWithItsCode(playwright, baseURL);
  await page.goto('/public');
  await expect(page.getByRole('heading', { name: '查询我的事项' })).toBeVisible();
  await page.screenshot({ path: '../docs/screenshots/public/home-zh-320.png', fullPage: true });

  // A typo in the code is caught by its check digit.
  await page.getByLabel('事项编号').fill(c.number);
  const wrongDigit = String((Number(c.query_code[0]) + 1) % 10) + c.query_code.slice(1);
  await page.getByLabel('查询码').fill(wrongDigit);
  await page.getByRole('button', { name: '查询' }).click();
  await expect(page.getByRole('alert')).toContainText('查询码有误');

  // The right code, typed in two groups as it is printed.
  await page.getByLabel('事项编号').fill(c.number);
  await page.getByLabel('查询码').fill(`${c.query_code.slice(0, 4)} ${c.query_code.slice(4)}`);
  await page.getByRole('button', { name: '查询' }).click();
  await expect(page.getByText('正在办理')).toBeVisible();
  await expect(page.getByRole('heading', { name: '办理经过' })).toBeVisible();
  await expect(page.getByText(c.agent_name)).toBeVisible();
  const html = await page.content();
  for (const secret of [c.id_number, c.phone, c.address]) {
    if (secret) expect(html).not.toContain(secret);
  }
  await page.screenshot({ path: '../docs/screenshots/public/case-zh-320.png', fullPage: true });

  // 蒙古文: the same matter, vertical traditional script, remembered.
  await page.getByRole('link', { name: 'ᠮᠣᠩᠭᠣᠯ' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'mn-Mong');
  await expect(page.locator('main')).toHaveCSS('writing-mode', 'vertical-lr');
  await expect(page.getByText(c.number)).toBeVisible();
  await page.screenshot({ path: '../docs/screenshots/public/case-mn-320.png', fullPage: true });
  await page.goto('/public');
  await expect(page.locator('html')).toHaveAttribute('lang', 'mn-Mong');
  await page.screenshot({ path: '../docs/screenshots/public/home-mn-320.png', fullPage: true });

  // Large text for older eyes.
  await page.getByRole('link', { name: '中文' }).click();
  await page.getByRole('link', { name: '大字' }).click();
  await expect(page.locator('body')).toHaveCSS('font-size', '22px');
});

test('an unknown number and a wrong code look the same', async ({ page, playwright, baseURL }) => {
  const c = await aCaseWithItsCode(playwright, baseURL);
  const valid = (body) => {
    // Any 7 digits with their Damm check digit.
    const t = [[0,3,1,7,5,9,8,6,4,2],[7,0,9,2,1,5,4,8,6,3],[4,2,0,6,8,7,1,3,5,9],[1,7,5,0,9,8,3,4,2,6],[6,1,2,3,0,4,5,9,7,8],[3,6,7,4,2,0,9,5,8,1],[5,8,6,9,7,2,0,1,3,4],[8,9,4,5,3,6,2,0,1,7],[9,4,3,8,6,1,7,2,0,5],[2,5,8,1,4,3,6,7,9,0]];
    let i = 0;
    for (const d of body) i = t[i][Number(d)];
    return body + i;
  };
  let other = valid('1234567');
  if (other === c.query_code) other = valid('7654321');
  const wrong = await page.request.get(`/public/case?n=${encodeURIComponent(c.number)}&c=${other}`);
  const unknown = await page.request.get(`/public/case?n=${encodeURIComponent('阿左代〔1999〕001号')}&c=${other}`);
  expect(wrong.status()).toBe(404);
  expect(await wrong.text()).toBe(await unknown.text());
  await page.goto(`/public/case?n=${encodeURIComponent(c.number)}&c=${other}`);
  await expect(page.getByRole('alert')).toContainText('事项编号或查询码不对');
  await page.screenshot({ path: '../docs/screenshots/public/not-found-zh-320.png', fullPage: true });
});

test('a dissatisfied citizen rates the result and asks for 复查, which reaches the station', async ({ page, playwright, baseURL }) => {
  // A matter of its own, taken through to closure over the API, so no other
  // test's case changes: registered by the station, handled by 李秀兰.
  const station = await playwright.request.newContext({ baseURL });
  expect((await station.post('/api/login', { data: { username: 'zhen1', password: 'daiban123' } })).ok()).toBeTruthy();
  const units = await (await station.get('/api/units')).json();
  const village = units.find((u) => u.name === '乌兰布和嘎查');
  const agents = await (await station.get('/api/agents')).json();
  const lixiulan = agents.find((a) => a.username === 'wangge2');
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const created = await station.post('/api/cases', { data: {
    unit_id: village.id, citizen_name: '乌云·其木格', phone: '13947801234', summary: '反映草场补贴未按时发放。',
    channel: 'visit', source: 'citizen', level: 'village', received_on: today,
  } });
  expect(created.status()).toBe(201);
  const id = (await created.json()).id;
  const screened = await station.post(`/api/cases/${id}/commands`, { data: {
    kind: 'screen', outcome: { kind: 'accept_agency', agent_chosen_by_citizen: false }, agent_id: lixiulan.id, note: '指派代办',
  } });
  expect(screened.ok()).toBeTruthy();
  const agent = await playwright.request.newContext({ baseURL });
  await agent.post('/api/login', { data: { username: 'wangge2', password: 'daiban123' } });
  const closed = await agent.post(`/api/cases/${id}/commands`, { data: {
    kind: 'close', method: 'in_person', notice: 'written', opinion: 'dissatisfied', result: '补贴已核实，将于下月发放',
  } });
  expect(closed.ok()).toBeTruthy();
  const detail = await (await station.get(`/api/cases/${id}`)).json();

  await page.goto(`/public/case?n=${encodeURIComponent(detail.case.number)}&c=${detail.case.query_code}&lang=zh`);
  await expect(page.getByText('补贴已核实，将于下月发放')).toBeVisible();
  await page.getByLabel('不满意').check();
  await page.getByRole('button', { name: '提交评价' }).click();
  await expect(page.getByRole('status')).toHaveText('谢谢您的评价。');
  await expect(page.getByText('您的评价：不满意')).toBeVisible();
  await page.getByRole('button', { name: '申请复查' }).click();
  await expect(page.getByRole('status')).toContainText('复查申请已提交');
  await expect(page.getByText('正在复查/复核')).toBeVisible();
  await page.screenshot({ path: '../docs/screenshots/public/review-requested-zh-320.png', fullPage: true });

  // The station sees the citizen's opinion and the request on the matter.
  const after = await (await station.get(`/api/cases/${id}`)).json();
  expect(after.citizen_opinion).toBe('dissatisfied');
  expect(after.case.lifecycle.status.status).toBe('under_review');
  expect(after.timeline.some((e) => e.command.note === '信访人通过查询页面申请复查/复核')).toBeTruthy();
  // The same page in Mongolian.
  await page.getByRole('link', { name: 'ᠮᠣᠩᠭᠣᠯ' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'mn-Mong');
  await expect(page.getByText('ᠰᠡᠳᠬᠢᠯ ᠬᠠᠩᠤᠭᠰᠠᠨ ᠦᠭᠡᠢ')).toBeVisible(); // 不满意, in Mongolian
  await expect(page.getByText('ᠳᠠᠬᠢᠨ ᠬᠢᠨᠠᠵᠤ ᠪᠠᠢᠨ᠎ᠠ')).toBeVisible(); // 正在复查
  await page.screenshot({ path: '../docs/screenshots/public/review-requested-mn-320.png', fullPage: true });
});

test('the station prints the 代办单 with the query code and its QR code', async ({ browser, playwright, baseURL }) => {
  const api = await playwright.request.newContext({ baseURL });
  expect((await api.post('/api/login', { data: { username: 'zhen1', password: 'daiban123' } })).ok()).toBeTruthy();
  const cases = await (await api.get('/api/cases')).json();
  const c = cases.find((k) => k.stage === 'handling');
  const context = await browser.newContext({ storageState: await api.storageState(), viewport: { width: 794, height: 1123 } });
  const page = await context.newPage();
  await page.goto(`/print/cases/${c.id}/agency-form`);
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('heading', { name: '信访事项代办单' })).toBeVisible();
  const qr = page.locator('.code svg');
  await expect(qr).toHaveCount(1);
  const box = await qr.boundingBox();
  expect(box.width).toBeGreaterThan(100); // 32 mm on paper
  await expect(page.getByText(/查询码：\d{4} \d{4}/)).toBeVisible();
  await page.screenshot({ path: '../docs/screenshots/desk/agency-form-print.png', fullPage: true });
  await context.close();
});
