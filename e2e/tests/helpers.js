// Shared steps for the browser tests.
const { expect } = require('@playwright/test');

const PASSWORD = 'daiban123';

// A phone-sized context (360 px wide unless told, touch), as field agents use.
async function phoneContext(browser, width = 360) {
  return browser.newContext({
    viewport: { width, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    serviceWorkers: 'allow',
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
}

// `/?field`: a station user (zhen1) stays in the field app instead of being
// sent to the desk workbench, as when screening at the doorstep.
async function login(page, username) {
  await page.goto('/?field');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('heading', { name: '我的事项' })).toBeVisible();
  await expect(page.getByTestId('pending')).toHaveText('已全部同步');
}

// Waits until the service worker controls the page, so a reload with no
// network is served from its cache.
async function waitForServiceWorker(page) {
  // page.evaluate awaits the promise (waitForFunction would not).
  await page.evaluate(() => navigator.serviceWorker.ready);
  if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) {
    await page.reload();
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
  }
}

// An API client signed in as a demo user (the page's cookies are not shared).
async function apiAs(playwright, baseURL, username) {
  const api = await playwright.request.newContext({ baseURL });
  const res = await api.post('/api/login', { data: { username, password: PASSWORD } });
  expect(res.status()).toBe(200);
  return api;
}

module.exports = { PASSWORD, phoneContext, login, waitForServiceWorker, apiAs };

// Opens the first case of the list whose card shows `stageLabel` (and, if
// given, the agent's name: a field agent acts only on their own matters);
// returns its id.
async function openCase(page, stageLabel, agentName) {
  let card = page.getByTestId('case-card').filter({ hasText: stageLabel });
  if (agentName) card = card.filter({ hasText: agentName });
  card = card.first();
  await card.click();
  await page.waitForURL(/#\/case\/-?\d+$/);
  return Number(new URL(page.url()).hash.replace('#/case/', ''));
}

// A real JPEG made by the browser itself (a screenshot), for photo uploads.
async function makeJpeg(page, path) {
  await page.screenshot({ path, type: 'jpeg', quality: 80 });
  return path;
}

module.exports.openCase = openCase;
module.exports.makeJpeg = makeJpeg;

// A full-page screenshot from the top, so sticky bars sit where a person sees them.
async function shot(page, path) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
}

module.exports.shot = shot;

// The phone widths every layout rule is checked at.
const WIDTHS = [360, 320];

// Every visible interactive element smaller than 44 × 44 px (a checkbox or
// radio is measured by the label around it, which is what a thumb taps).
async function smallTapTargets(page) {
  return page.evaluate(() => {
    const els = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [role=button]')];
    return els
      .filter((el) => el.offsetParent !== null || getComputedStyle(el).position === 'sticky')
      .map((el) => {
        const target = el.matches('input[type=checkbox], input[type=radio]') && el.closest('label') ? el.closest('label') : el;
        const r = target.getBoundingClientRect();
        return { html: el.outerHTML.slice(0, 90), w: Math.round(r.width), h: Math.round(r.height) };
      })
      .filter((x) => x.w > 0 && (x.w < 44 || x.h < 44));
  });
}

// The photo file input is empty (no file, no name shown).
async function photoInputEmpty(page) {
  return page.locator('input[name=photo]').evaluate((el) => el.value === '' && el.files.length === 0);
}

module.exports.WIDTHS = WIDTHS;
module.exports.smallTapTargets = smallTapTargets;
module.exports.photoInputEmpty = photoInputEmpty;
