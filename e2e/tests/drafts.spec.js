// A half-written form survives a reload (a dead battery, a closed tab).
const { test, expect } = require('@playwright/test');
const { phoneContext, login, openCase } = require('./helpers');

test('form drafts survive a reload, and go once saved', async ({ browser }) => {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await login(page, 'cun1');
  await openCase(page, '事项办理');
  await page.getByLabel('走访情况').fill('写到一半的走访记录');
  await page.getByRole('button', { name: '电话' }).click();
  await page.reload();
  await expect(page.getByLabel('走访情况')).toHaveValue('写到一半的走访记录');
  await expect(page.getByRole('button', { name: '电话' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: '保存记录' }).click();
  await expect(page.getByLabel('走访情况')).toHaveValue('');
  await page.reload();
  await expect(page.getByLabel('走访情况')).toHaveValue('');

  await page.getByRole('link', { name: '排查登记' }).click();
  await page.getByLabel('信访人姓名 *').fill('苏德');
  await page.reload();
  await expect(page.getByLabel('信访人姓名 *')).toHaveValue('苏德');
  await context.close();
});
