// The desk's 奖补 page at 1280 px: a resolved matter's petition record gives
// its category, the station claims with the five materials chosen from the
// matter's attachments, gathers the quarter's batch and does the first
// review; the banner centre is refused the township's step; the page is
// photographed for docs/screenshots/desk/reward.png.
const { test, expect } = require('@playwright/test');
const { PASSWORD, apiAs } = require('./helpers');

const W = { width: 1280, height: 900 };
test.use({ viewport: W, screenshot: 'only-on-failure' });

const MATERIALS = [
  ['resolution_report', '信访事项化解报告'],
  ['agent_details', '信访代办员基本情况'],
  ['process_records', '办理过程材料（会议记录、授权委托书、调解或息诉罢访协议等）'],
  ['payment_account', '奖补资金发放账号信息'],
  ['other_evidence', '其他证明材料'],
];

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

function todayChina() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

// A matter of 乌兰布和嘎查 handled by wangge1 and resolved (息诉罢访), with one
// PDF per dossier material; returns its id and number.
async function resolvedMatter(playwright, baseURL) {
  const agent = await apiAs(playwright, baseURL, 'wangge1');
  const me = await (await agent.get('/api/me')).json();
  const units = await (await agent.get('/api/units')).json();
  const village = units.find((u) => u.name === '乌兰布和嘎查');
  let res = await agent.post('/api/cases', {
    data: {
      unit_id: village.id, citizen_name: '孟和', summary: '邻户草场边界纠纷，请求重新勘界', channel: 'visit',
      source: 'screening', level: 'village', received_on: todayChina(),
    },
  });
  expect(res.status()).toBe(201);
  const { id } = await res.json();
  const cmd = async (body) => {
    const r = await agent.post(`/api/cases/${id}/commands`, { data: body });
    expect(r.status(), JSON.stringify(body)).toBe(200);
  };
  await cmd({ kind: 'screen', outcome: { kind: 'accept_agency', agent_chosen_by_citizen: true }, agent_id: me.id, note: '受理' });
  await cmd({ kind: 'close', method: 'phone', notice: 'oral', opinion: 'satisfied', result: '已调解' });
  await cmd({ kind: 'follow_up', method: 'phone', resolved: true, note: '已息诉罢访' });
  for (const [i, [code]] of MATERIALS.entries()) {
    const att = `0000000${i}-0000-4000-8000-${String(id).padStart(12, '0')}`;
    const r = await agent.put(`/api/cases/${id}/attachments/${att}?name=${code}.pdf`, {
      headers: { 'content-type': 'application/pdf' },
      data: Buffer.from(`%PDF-1.4 ${code}`),
    });
    expect(r.status()).toBe(201);
  }
  const detail = await (await agent.get(`/api/cases/${id}`)).json();
  return { id, number: detail.case.number };
}

test('奖补: record, claim with its materials, batch, first review, public notice, integrity finding referred', async ({ browser, playwright, baseURL }) => {
  const year = Number(todayChina().slice(0, 4));
  const league = await apiAs(playwright, baseURL, 'meng1');
  expect((await league.put(`/api/reward/funds/${year}`, { data: { budget: '100000' } })).status()).toBe(200);
  const matter = await resolvedMatter(playwright, baseURL);

  const page = await deskLogin(browser, 'zhen1');
  await page.getByRole('link', { name: '奖补' }).click();
  await expect(page.getByRole('heading', { name: '奖补资金', exact: true })).toBeVisible();
  await expect(page.getByTestId('fund')).toContainText('100000.00');

  const form = page.getByTestId('claim-form');
  await form.getByLabel('事项序号').fill(String(matter.id));
  await form.getByRole('button', { name: '打开事项' }).click();
  await expect(form).toContainText(matter.number);
  // The record: a first petition within the league → E (¥200), with the seed's words.
  await form.getByRole('button', { name: '登记信访记录' }).click();
  await expect(form.getByTestId('category')).toContainText('E类 200.00 元');
  await expect(form.getByTestId('category')).toContainText('在盟内反映的初次信访事项');

  await expect(form).toContainText('缺少：信访事项化解报告');
  for (const [code, label] of MATERIALS) {
    const select = form.getByLabel(label, { exact: true });
    await expect.poll(() => select.evaluate((el) => el.options.length)).toBeGreaterThan(1);
    await select.selectOption({ label: `${code}.pdf` });
  }
  await expect(form).toContainText('卷宗要素齐全');
  await form.getByLabel('申报理由').fill('案结事了，信访人息诉罢访');
  await form.getByLabel('收款人').fill('巴特尔');
  await form.getByLabel('收款账号').fill('6228480012345678');
  await form.getByRole('button', { name: '提交申报' }).click();
  await expect(form.getByRole('status')).toContainText(`已申报：${matter.number} 200.00 元`);
  await expect(page.getByTestId('claims')).toContainText('****5678');

  // The quarter's batch, then the township's first review with its opinion.
  await page.getByTestId('new-batch').getByLabel('汇总说明').fill('本季度申报汇总');
  await page.getByRole('button', { name: '汇总本季度申报' }).click();
  const batch = page.getByTestId('batch').first();
  await expect(batch).toContainText('汇总申报');
  await expect(batch).toContainText('下一环节：苏木镇初审');

  // The banner centre may not do the township's step: the server refuses.
  const banner = await deskLogin(browser, 'qi1');
  await banner.goto('/desk/#/reward');
  const theirs = banner.getByTestId('batch').first();
  await theirs.getByLabel('审核意见').fill('越级审核');
  await theirs.getByRole('button', { name: '办理' }).click();
  await expect(theirs.getByRole('alert')).toContainText('须由本苏木镇（街道）代办站或分管领导办理');

  await batch.getByLabel('审核意见').fill('材料齐全，同意上报公示');
  await batch.getByRole('button', { name: '办理' }).click();
  await expect(page.getByTestId('batch').first()).toContainText('苏木镇初审');
  await expect(page.getByTestId('batch').first().getByTestId('steps')).toContainText('材料齐全，同意上报公示');
  await expect(page.getByTestId('batch').first()).toContainText('下一环节：公示');

  // The public notice: 5 working days on the citizens' pages, the agent's
  // name and amount only (no account, no ID number).
  await page.getByTestId('batch').first().getByLabel('审核意见').fill('在代办服务站及网站公示');
  await page.getByTestId('batch').first().getByRole('button', { name: '办理' }).click();
  await expect(page.getByTestId('batch').first().getByTestId('steps')).toContainText('在代办服务站及网站公示');
  await expect(page.getByTestId('batch').first()).toContainText('下一环节：旗县复审（公示期满后）');
  const visitor = await browser.newContext({ viewport: { width: 320, height: 640 }, javaScriptEnabled: false });
  const pub = await visitor.newPage();
  await pub.goto('/public/reward-notice');
  await expect(pub.locator('body')).toContainText('巴特尔');
  await expect(pub.locator('body')).toContainText('200.00');
  await expect(pub.locator('body')).not.toContainText('5678');
  await pub.screenshot({ path: '../docs/screenshots/public-reward-notice-320.png', fullPage: true });
  await visitor.close();
  // The banner's review waits for the notice to end: refused, with the date.
  await banner.reload();
  const waiting = banner.getByTestId('batch').first();
  await waiting.getByLabel('审核意见').fill('同意');
  await waiting.getByRole('button', { name: '办理' }).click();
  await expect(waiting.getByRole('alert')).toContainText('公示期满后才能复审');

  // The league's integrity check: the claimed matter has no visit record;
  // the finding, its evidence and the referral to discipline inspection.
  const bureau = await deskLogin(browser, 'meng1');
  await bureau.goto('/desk/#/reward');
  const finding = bureau.getByTestId('flag').filter({ hasText: matter.number });
  await expect(finding).toContainText('申报事项无走访记录');
  await finding.getByLabel('移交说明').fill('申报事项无走访记录，移交盟纪委监委核查');
  await finding.getByRole('button', { name: '移交' }).click();
  await expect(bureau.getByTestId('flag').filter({ hasText: matter.number }).getByTestId('referred')).toBeVisible();
  await bureau.evaluate(() => window.scrollTo(0, 0));
  await bureau.screenshot({ path: '../docs/screenshots/desk/reward-flags.png', fullPage: true });
  // From the top, so the fixed header sits above the page in the full-page shot.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: '../docs/screenshots/desk/reward.png', fullPage: true });
});
