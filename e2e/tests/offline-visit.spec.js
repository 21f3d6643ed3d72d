// The walking skeleton's proof: a grid worker records visits with no
// network, reloads, sees them kept, and they reach the server exactly once.
const { test, expect } = require('@playwright/test');
const { phoneContext, login, waitForServiceWorker, apiAs, shot } = require('./helpers');

test('three visits recorded offline survive a reload and sync exactly once', async ({ browser, playwright, baseURL }) => {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await login(page, 'wangge1');
  await waitForServiceWorker(page);
  await shot(page, '../docs/screenshots/case-list.png');

  // Open a case of this village that is being handled.
  const card = page.getByTestId('case-card').filter({ hasText: '事项办理' }).filter({ hasText: '巴特尔' }).first();
  const number = (await card.locator('.num').innerText()).trim();
  await card.click();
  await expect(page.getByRole('heading', { name: '新增走访记录' })).toBeVisible();
  const caseId = Number(new URL(page.url()).hash.replace('#/case/', ''));
  expect(caseId).toBeGreaterThan(0);
  const visitsBefore = await page.getByTestId('visit').count();

  // What the phone pushes, to send the very same request again below.
  const pushes = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/sync/push')) pushes.push(r.postDataJSON()); });

  // Cut the network and record three visits.
  await context.setOffline(true);
  await expect(page.getByTestId('net')).toHaveText('○ 离线');
  const notes = ['上门核实草场边界，双方同意等待勘界', '电话告知办理进度', '送达书面答复意见书'];
  const methods = ['上门', '电话', '信函'];
  for (let i = 0; i < 3; i++) {
    await page.getByRole('button', { name: methods[i], exact: true }).click();
    await page.getByLabel('走访情况').fill(notes[i]);
    await page.getByRole('button', { name: '保存记录' }).click();
    await expect(page.getByText('已保存到本机，联网后自动上传')).toBeVisible();
    await expect(page.getByTestId('pending')).toHaveText(`${i + 1} 条未同步`);
  }
  await expect(page.getByTestId('visit')).toHaveCount(visitsBefore + 3);

  // Reload with no network: the service worker opens the app, IndexedDB has the visits.
  await page.reload();
  await expect(page.getByTestId('pending')).toHaveText('3 条未同步');
  await expect(page.getByTestId('net')).toHaveText('○ 离线');
  await expect(page.getByRole('heading', { name: '新增走访记录' })).toBeVisible();
  for (const note of notes) await expect(page.getByText(note)).toBeVisible();
  await expect(page.locator('.visit.pending')).toHaveCount(3);
  await shot(page, '../docs/screenshots/offline-visits.png');

  // Back online: the outbox drains.
  await context.setOffline(false);
  await expect(page.getByTestId('pending')).toHaveText('已全部同步', { timeout: 30_000 });
  await expect(page.locator('.visit.pending')).toHaveCount(0);

  // The township sees exactly three new visits on that case.
  const township = await apiAs(playwright, baseURL, 'zhen1');
  const detail = await (await township.get(`/api/cases/${caseId}`)).json();
  expect(detail.case.number).toBe(number);
  const ours = detail.visits.filter((v) => notes.includes(v.note));
  expect(ours).toHaveLength(3);
  expect(detail.visits).toHaveLength(visitsBefore + 3);
  expect(ours.map((v) => v.method).sort()).toEqual(['in_person', 'letter', 'phone']);
  expect(ours.every((v) => v.recorded_by_name === '巴特尔')).toBe(true);

  // Push the same batch again, straight to the API, as a retry would: still three.
  const sent = pushes.find((p) => p.mutations.length === 3);
  expect(sent.mutations.map((m) => m.change.visit.note)).toEqual(notes);
  const outbox = sent.mutations;
  const clientId = await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('daibantong');
    open.onsuccess = () => {
      const req = open.result.transaction('meta').objectStore('meta').get('client_id');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    };
    open.onerror = () => reject(open.error);
  }));
  expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
  expect(sent.client_id).toBe(clientId);
  const agent = await apiAs(playwright, baseURL, 'wangge1');
  const again = await agent.post('/api/sync/push', { data: { client_id: clientId, mutations: outbox } });
  expect(again.status()).toBe(200);
  const results = (await again.json()).results;
  expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
  const after = await (await township.get(`/api/cases/${caseId}`)).json();
  expect(after.visits.filter((v) => notes.includes(v.note))).toHaveLength(3);
  expect(after.visits).toHaveLength(visitsBefore + 3);

  await context.close();
});
