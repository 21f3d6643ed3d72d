// Issue 9, items 2–5: a held request times out and is retried (the next
// save still syncs); a photo survives a passing server error and is retried
// until it arrives; the photo field is cleared after a save; one pending
// count (a visit with its photo is one record; the case card counts visits);
// the bar tells 离线, 服务器暂不可用 and 在线 apart, with the next retry.
const { test, expect } = require('@playwright/test');
const { phoneContext, login, apiAs, openCase, makeJpeg, WIDTHS, shot, photoInputEmpty } = require('./helpers');

async function saveVisit(page, note) {
  await page.getByLabel('走访情况').fill(note);
  await page.getByRole('button', { name: '保存记录' }).click();
}

for (const width of WIDTHS) {
  test(`${width} px: a held push times out, is retried, and a visit saved meanwhile still syncs`, async ({ browser, playwright, baseURL }) => {
    test.setTimeout(120_000);
    const context = await phoneContext(browser, width);
    const page = await context.newPage();
    await login(page, 'cun1');
    const caseId = await openCase(page, '事项办理');
    const notes = [`${width} 服务器挂起时的走访`, `${width} 挂起期间又存的走访`];

    // The server applies the first push, but its answer is held forever.
    let pushes = 0;
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route('**/api/sync/push', async (route) => {
      pushes++;
      if (pushes === 1) {
        await route.fetch();
        await held;
        return route.abort().catch(() => {});
      }
      return route.continue();
    });
    const started = Date.now();
    await saveVisit(page, notes[0]);
    await expect.poll(() => pushes).toBe(1);
    await expect(page.getByTestId('sync-now')).toHaveText('同步中…');
    await saveVisit(page, notes[1]);
    await expect(page.getByText('已保存到本机，正在上传…')).toBeVisible();
    await expect(page.getByTestId('pending')).toHaveText('2 条未同步');

    // After the time limit the push is abandoned: the bar says the server is
    // not answering and when it will try again …
    await expect(page.getByTestId('net')).toHaveText('△ 服务器暂不可用', { timeout: 30_000 });
    expect(Date.now() - started).toBeGreaterThan(15_000);
    await expect(page.getByTestId('retry')).toHaveText(/ · \d+ 秒后重试/);
    await shot(page, `../docs/screenshots/server-timeout-${width}.png`);
    // … and the retry carries both visits; the server's exactly-once answers the first again.
    await expect(page.getByTestId('pending')).toHaveText('已全部同步', { timeout: 30_000 });
    await expect(page.getByTestId('net')).toHaveText('● 在线');
    expect(pushes).toBeGreaterThanOrEqual(2);
    release();

    const township = await apiAs(playwright, baseURL, 'zhen1');
    const detail = await (await township.get(`/api/cases/${caseId}`)).json();
    for (const note of notes) expect(detail.visits.filter((v) => v.note === note)).toHaveLength(1);
    await context.close();
  });

  test(`${width} px: a photo survives a 503, is retried until it arrives, and the photo field is cleared`, async ({ browser, playwright, baseURL }, testInfo) => {
    const context = await phoneContext(browser, width);
    const page = await context.newPage();
    await login(page, 'cun1');
    const jpeg = await makeJpeg(page, testInfo.outputPath('photo.jpg'));
    const caseId = await openCase(page, '事项办理');
    const note = `${width} 带照片的走访（代理返回 503）`;
    const township = await apiAs(playwright, baseURL, 'zhen1');
    const before = (await (await township.get(`/api/cases/${caseId}`)).json()).attachments.length;

    // A proxy answers the first upload with 503; later ones reach the server.
    let puts = 0;
    await page.route('**/api/cases/*/attachments/*', (route) => {
      puts++;
      if (puts === 1) {
        return route.fulfill({ status: 503, contentType: 'text/html', body: '<h1>503 Service Temporarily Unavailable</h1>' });
      }
      return route.continue();
    });
    await page.locator('input[name=photo]').setInputFiles(jpeg);
    await expect(page.getByTestId('photo-info')).toContainText('压缩后');
    await saveVisit(page, note);
    await expect(page.getByText('已保存到本机，正在上传…')).toBeVisible();
    // The photo field is empty again: the next visit does not look as if it had a photo.
    expect(await photoInputEmpty(page)).toBe(true);
    await expect(page.getByTestId('photo-info')).toHaveCount(0);

    // The 503 is a passing error: the photo waits, nothing is refused, the bar says so.
    await expect.poll(() => puts).toBe(1);
    await expect(page.getByTestId('net')).toHaveText('△ 服务器暂不可用');
    await expect(page.getByTestId('pending')).toHaveText('1 条未同步');
    await expect(page.getByTestId('rejected-item')).toHaveCount(0);
    // The retry (after its backoff) uploads it.
    await expect(page.getByTestId('pending')).toHaveText('已全部同步', { timeout: 30_000 });
    expect(puts).toBe(2);

    const detail = await (await township.get(`/api/cases/${caseId}`)).json();
    expect(detail.visits.filter((v) => v.note === note)).toHaveLength(1);
    expect(detail.attachments).toHaveLength(before + 1); // once, despite the 503 and the retry
    expect(detail.attachments.every((a) => a.content_type === 'image/jpeg')).toBe(true);

    // The next visit is saved without a photo, and is one record.
    await context.setOffline(true);
    await saveVisit(page, `${width} 下一条走访，没有照片`);
    await expect(page.getByTestId('pending')).toHaveText('1 条未同步');
    await context.close();
  });

  test(`${width} px: one pending count — a visit with its photo is one record, and the case card counts visits`, async ({ browser }, testInfo) => {
    const context = await phoneContext(browser, width);
    const page = await context.newPage();
    await login(page, 'cun1');
    const jpeg = await makeJpeg(page, testInfo.outputPath('photo.jpg'));
    const caseId = await openCase(page, '事项办理');
    await context.setOffline(true);
    await page.locator('input[name=photo]').setInputFiles(jpeg);
    await expect(page.getByTestId('photo-info')).toContainText('压缩后');
    await saveVisit(page, `${width} 离线走访一（带照片）`);
    await expect(page.getByText('已保存到本机，联网后自动上传')).toBeVisible();
    await expect(page.getByTestId('pending')).toHaveText('1 条未同步');
    await saveVisit(page, `${width} 离线走访二`);
    await expect(page.getByTestId('pending')).toHaveText('2 条未同步');

    await page.getByRole('link', { name: '我的事项', exact: true }).click();
    const card = page.locator(`a[href="#/case/${caseId}"]`);
    await expect(card.getByTestId('case-pending')).toHaveText('2 项未同步');
    await expect(page.getByTestId('case-pending')).toHaveCount(1);
    await shot(page, `../docs/screenshots/list-pending-${width}.png`);

    await context.setOffline(false);
    await expect(page.getByTestId('pending')).toHaveText('已全部同步', { timeout: 30_000 });
    await expect(page.getByTestId('case-pending')).toHaveCount(0);
    await context.close();
  });

  test(`${width} px: the bar tells 离线, 服务器暂不可用 and 在线 apart, and shows the next retry`, async ({ browser }) => {
    const context = await phoneContext(browser, width);
    const page = await context.newPage();
    await login(page, 'cun1');
    await expect(page.getByTestId('net')).toHaveText('● 在线');
    await openCase(page, '事项办理');

    // The network is up, the server is not: a 502 from the proxy, then no answer at all.
    await page.route('**/api/**', (route) => route.fulfill({ status: 502, body: 'Bad Gateway' }));
    await saveVisit(page, `${width} 服务器不可用时的走访`);
    await expect(page.getByTestId('net')).toHaveText('△ 服务器暂不可用');
    await expect(page.getByTestId('pending')).toHaveText('1 条未同步');
    await expect(page.getByTestId('retry')).toHaveText(/ · \d+ 秒后重试/);
    await expect(page.getByTestId('statusbar')).not.toContainText('在线');
    await page.unroute('**/api/**');
    await page.route('**/api/**', (route) => route.abort('connectionrefused'));
    await page.getByTestId('sync-now').click();
    await expect(page.getByTestId('net')).toHaveText('△ 服务器暂不可用');
    // Details on tap: who, the last sync, the next retry, 退出.
    await page.getByTestId('bar-toggle').click();
    await expect(page.getByTestId('bar-details')).toContainText('其其格');
    await expect(page.getByTestId('bar-details')).toContainText(/秒后重试/);
    await expect(page.getByTestId('bar-details').getByRole('button', { name: '退出' })).toBeVisible();
    await shot(page, `../docs/screenshots/server-down-${width}.png`);
    await page.getByTestId('bar-toggle').click();

    // No network at all.
    await context.setOffline(true);
    await expect(page.getByTestId('net')).toHaveText('○ 离线');
    await expect(page.getByTestId('retry')).toHaveCount(0);

    // Both back: 在线, and the visit goes.
    await page.unroute('**/api/**');
    await context.setOffline(false);
    await expect(page.getByTestId('pending')).toHaveText('已全部同步', { timeout: 30_000 });
    await expect(page.getByTestId('net')).toHaveText('● 在线');
    await context.close();
  });
}
