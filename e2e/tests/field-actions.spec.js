// Everything a grid worker records in the field, with the network cut for
// the whole recording part; then back online, the township sees each record.
const { test, expect } = require('@playwright/test');
const { phoneContext, login, waitForServiceWorker, apiAs, openCase, makeJpeg, shot } = require('./helpers');

test('visit with photo, contact, closure, follow-up and a new matter — all offline, synced once', async ({ browser, playwright, baseURL }, testInfo) => {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await login(page, 'wangge1');
  await waitForServiceWorker(page);
  const jpeg = await makeJpeg(page, testInfo.outputPath('photo.jpg'));
  const caseId = await openCase(page, '事项办理', '巴特尔');

  await context.setOffline(true);
  await expect(page.getByTestId('net')).toHaveText('○ 离线');

  // 1. A visit with a photo (resized on the phone) and the phone's position.
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ latitude: 38.851892, longitude: 105.672544, accuracy: 12 });
  await page.getByLabel('走访情况').fill('上门查看围栏位置并拍照取证');
  await page.getByLabel('记录当前位置').check();
  await page.locator('input[name=photo]').setInputFiles(jpeg);
  await expect(page.getByTestId('photo-info')).toContainText('压缩后');
  await page.getByRole('button', { name: '保存记录' }).click();
  await expect(page.getByText('已保存到本机，联网后自动上传')).toBeVisible();
  await expect(page.getByTestId('pending')).toHaveText('1 条未同步'); // the visit with its photo: one record

  // 2. A progress contact.
  await page.getByRole('button', { name: '进度沟通' }).click();
  await page.getByTestId('command-form').getByRole('button', { name: '电话' }).click();
  await page.getByTestId('command-form').getByLabel('沟通情况').fill('电话告知信访人执法局已受理');
  await page.getByRole('button', { name: '保存进度沟通' }).click();
  await expect(page.getByTestId('saved')).toHaveText('已保存到本机，联网后自动上传');
  await expect(page.getByTestId('pending')).toHaveText('2 条未同步');

  // 3. Closure feedback with the citizen's opinion: the stage moves on at once, on the phone.
  await page.getByRole('button', { name: '办结反馈' }).click();
  await page.getByTestId('command-form').getByRole('button', { name: '书面告知' }).click();
  await page.getByTestId('command-form').getByLabel('比较满意').check();
  await page.getByTestId('command-form').getByLabel('处理结果（告知信访人的内容）').fill('执法局已拆除越界围栏，恢复原边界');
  await page.getByRole('button', { name: '保存办结反馈' }).click();
  await expect(page.getByTestId('status')).toHaveText('待回访');
  await expect(page.getByTestId('pending')).toHaveText('3 条未同步');

  // 4. The follow-up visit confirming 息诉罢访.
  await page.getByRole('button', { name: '终结回访' }).click();
  await page.getByTestId('command-form').getByRole('button', { name: '已息诉罢访' }).click();
  await page.getByTestId('command-form').getByLabel('回访情况').fill('回访确认围栏已拆除，信访人表示不再上访');
  await page.getByRole('button', { name: '保存终结回访' }).click();
  await expect(page.getByTestId('status')).toHaveText('已化解');
  await expect(page.getByTestId('pending-event')).toHaveCount(3);
  await shot(page, '../docs/screenshots/case-actions-offline.png');

  // 5. A new matter found by screening, with the 代办单 fields, accepted by me.
  await page.getByRole('link', { name: '排查登记' }).click();
  const form = page.getByTestId('new-case-form');
  await form.getByLabel('信访人姓名 *').fill('阿拉坦·其其格');
  await form.getByLabel('身份证号').fill('11010519491231002X');
  await form.getByLabel('联系电话').fill('13948301234');
  await form.getByLabel('住址').fill('乌兰布和嘎查四组');
  await form.getByLabel('反映的问题及诉求 *').fill('饮水井抽水泵损坏两周，请求协调维修');
  await form.getByLabel('内容分类').selectOption('water');
  await form.getByLabel('甄别结果 *').selectOption('accept');
  await shot(page, '../docs/screenshots/new-case.png');
  await form.getByRole('button', { name: '保存登记' }).click();
  await page.waitForURL(/#\/case\/-\d+$/);
  await expect(page.locator('.case-head .num')).toHaveText('待同步');

  await expect(page.getByTestId('status')).toHaveText('办理中');
  await expect(page.getByTestId('pending')).toHaveText('6 条未同步');

  // Survives a reload with no network.
  await page.reload();
  await expect(page.getByTestId('pending')).toHaveText('6 条未同步');

  // Back online: everything drains.
  await context.setOffline(false);
  await expect(page.getByTestId('pending')).toHaveText('已全部同步', { timeout: 30_000 });

  // The township sees each record through the API.
  const township = await apiAs(playwright, baseURL, 'zhen1');
  const detail = await (await township.get(`/api/cases/${caseId}`)).json();
  const visit = detail.visits.find((v) => v.note === '上门查看围栏位置并拍照取证');
  expect(detail.visits.filter((v) => v.note === '上门查看围栏位置并拍照取证')).toHaveLength(1);
  expect(visit.position).toEqual({ lat_e6: 38851892, lng_e6: 105672544, accuracy_m: 12 });

  expect(detail.attachments).toHaveLength(1);
  expect(detail.attachments[0].content_type).toBe('image/jpeg');
  expect(detail.attachments[0].size).toBeLessThan(1_500_000);
  const kinds = detail.timeline.map((e) => e.command.kind);
  expect(kinds.filter((k) => k === 'contact')).toHaveLength(1);
  expect(kinds.filter((k) => k === 'close')).toHaveLength(1);
  expect(kinds.filter((k) => k === 'follow_up')).toHaveLength(1);
  expect(detail.case.opinion).toBe('fairly_satisfied');
  expect(detail.case.notice_form).toBe('written');
  expect(detail.case.lifecycle.resolved).toBe(true);
  const photo = await township.get(`/api/attachments/${detail.attachments[0].id}`);
  expect(photo.status()).toBe(200);
  expect((await photo.body())[0]).toBe(0xff);

  const list = await (await township.get('/api/cases?q=' + encodeURIComponent('阿拉坦·其其格'))).json();
  expect(list).toHaveLength(1);
  expect(list[0].source).toBe('screening');
  expect(list[0].stage).toBe('handling');
  expect(list[0].agent_name).toBe('巴特尔');
  expect(list[0].category).toBe('water');

  // On the phone, the new matter now has its real number.
  await page.getByRole('link', { name: '我的事项', exact: true }).click();
  await page.getByPlaceholder('搜索姓名、编号或内容').fill('阿拉坦');
  await expect(page.getByTestId('case-card')).toHaveCount(1);
  await expect(page.getByTestId('case-card')).not.toContainText('待同步');
  await context.close();
});

test('a push cut off mid-way loses nothing and duplicates nothing', async ({ browser, playwright, baseURL }) => {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await login(page, 'cun3');
  const caseId = await openCase(page, '事项办理');
  await context.setOffline(true);
  for (const note of ['断网记录一', '断网记录二']) {
    await page.getByLabel('走访情况').fill(note);
    await page.getByRole('button', { name: '保存记录' }).click();
    await expect(page.getByText('已保存到本机，联网后自动上传')).toBeVisible();
  }
  // The first push reaches the server, but the answer never comes back.
  let cut = 0;
  await page.route('**/api/sync/push', async (route) => {
    if (cut === 0) {
      cut++;
      await route.fetch(); // the server applies the batch …
      return route.abort('connectionreset'); // … and the phone hears nothing
    }
    return route.continue();
  });
  await context.setOffline(false);
  await expect.poll(() => cut).toBe(1);
  await expect(page.getByTestId('pending')).toHaveText('2 条未同步');
  // The retry (timer or button) replays the stored answers.
  await page.getByRole('button', { name: '立即同步' }).click();
  await expect(page.getByTestId('pending')).toHaveText('已全部同步', { timeout: 30_000 });
  const township = await apiAs(playwright, baseURL, 'zhen2');
  const detail = await (await township.get(`/api/cases/${caseId}`)).json();
  expect(detail.visits.filter((v) => v.note === '断网记录一')).toHaveLength(1);
  expect(detail.visits.filter((v) => v.note === '断网记录二')).toHaveLength(1);
  await context.close();
});

test('a village agent reports a matter up (上报) offline; the township station gets it, the agent still reads it', async ({ browser, playwright, baseURL }) => {
  // A fresh village matter taken on by 巴特尔 (wangge1).
  const station = await apiAs(playwright, baseURL, 'zhen1');
  const units = await (await station.get('/api/units')).json();
  const village = units.find((u) => u.name === '乌兰布和嘎查');
  const agents = await (await station.get('/api/agents')).json();
  const bateer = agents.find((a) => a.username === 'wangge1');
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const created = await station.post('/api/cases', { data: {
    unit_id: village.id, citizen_name: '图雅·宝力格', phone: '13947805678', summary: '嘎查草场与邻旗牧户界线不清，多次协调无果。',
    channel: 'visit', source: 'citizen', level: 'village', received_on: today,
  } });
  expect(created.status()).toBe(201);
  const id = (await created.json()).id;
  expect((await station.post(`/api/cases/${id}/commands`, { data: {
    kind: 'screen', outcome: { kind: 'accept_agency', agent_chosen_by_citizen: false }, agent_id: bateer.id, note: '指派代办',
  } })).ok()).toBeTruthy();

  const context = await phoneContext(browser);
  const page = await context.newPage();
  await login(page, 'wangge1');
  await waitForServiceWorker(page);
  await page.goto(`/#/case/${id}`);
  await expect(page.locator('.case-head')).toContainText('图雅·宝力格');

  await context.setOffline(true);
  await page.getByRole('button', { name: '上报', exact: true }).click();
  const form = page.getByTestId('command-form');
  await expect(form.getByTestId('escalate-to').getByRole('button', { name: '苏木镇' })).toHaveAttribute('aria-pressed', 'true');
  await form.getByLabel('上报理由').fill('涉及与邻旗的草场界线，嘎查无法协调，请镇代办站处理');
  await shot(page, '../docs/screenshots/escalate.png');
  await form.getByRole('button', { name: '保存上报' }).click();
  await expect(page.getByTestId('saved')).toHaveText('已保存到本机，联网后自动上传');
  await expect(page.getByTestId('pending')).toHaveText('1 条未同步');
  await page.reload();
  await expect(page.getByTestId('pending')).toHaveText('1 条未同步');

  await context.setOffline(false);
  await expect(page.getByTestId('pending')).toHaveText('已全部同步', { timeout: 30_000 });

  // The township station has it in its 上报待办, handled there now.
  const detail = await (await station.get(`/api/cases/${id}`)).json();
  expect(detail.case.lifecycle.level).toBe('township');
  expect(detail.case.handling_unit_name).toBe('巴彦浩特镇');
  expect(detail.timeline.filter((e) => e.command.kind === 'escalate')).toHaveLength(1);
  const escalated = await (await station.get('/api/desk/cases?queue=escalated&limit=200')).json();
  expect(escalated.items.map((c) => c.id)).toContain(id);

  // The agent keeps the matter on the phone, without a second 上报.
  await page.reload();
  await expect(page.locator('.case-head')).toContainText('图雅·宝力格');
  await expect(page.getByRole('button', { name: '上报', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: '走访记录' })).toBeVisible();
  await context.close();
});
