// Issue 9, item 10: 排查登记 marks every invalid field where it is and
// scrolls to the first, instead of one message at the bottom.
const { test, expect } = require('@playwright/test');
const { phoneContext, login, WIDTHS, shot } = require('./helpers');

for (const width of WIDTHS) {
  test(`${width} px: 排查登记 marks each invalid field in place and scrolls to the first`, async ({ browser }) => {
    const context = await phoneContext(browser, width);
    const page = await context.newPage();
    await login(page, 'cun2');
    await page.getByRole('link', { name: '排查登记' }).click();
    const form = page.getByTestId('new-case-form');
    await form.getByLabel('信访人姓名 *').fill('Bob');
    await form.getByLabel('身份证号').fill('110105194912310021');
    await form.getByLabel('联系电话').fill('123');
    await form.getByLabel('反映的问题及诉求 *').fill('');
    await form.getByRole('button', { name: '保存登记' }).click();

    // Each wrong field is marked, with its own message next to it.
    const marked = async (label) => {
      const field = form.getByLabel(label);
      await expect(field).toHaveAttribute('aria-invalid', 'true');
      return field.locator('xpath=..').getByTestId('field-error'); // in its own label
    };
    await expect(await marked('信访人姓名 *')).toHaveText('信访人姓名中不能含有“B”，请用汉字填写，蒙古族姓名可用“·”分隔');
    await expect(await marked('身份证号')).toHaveText('身份证号校验位不正确，请核对');
    await expect(await marked('联系电话')).toHaveText('手机号码应为以 13–19 开头的 11 位数字');
    await expect(await marked('反映的问题及诉求 *')).toHaveText('反映的问题及诉求不能为空');
    await expect(form.getByLabel('甄别结果 *')).toHaveAttribute('aria-invalid', 'true');
    await expect(form.getByText('请选择甄别结果')).toBeVisible();
    await expect(form.getByLabel('住址')).not.toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('[aria-invalid=true]')).toHaveCount(5);

    // The first one is brought into view (below the sticky bar) and focused.
    const name = form.getByLabel('信访人姓名 *');
    await expect(name).toBeFocused();
    await expect(name).toBeInViewport();
    const box = await name.boundingBox();
    expect(box.y).toBeGreaterThanOrEqual(56);
    await page.screenshot({ path: `../docs/screenshots/new-case-errors-${width}.png` });
    await expect(page.getByTestId('pending')).toHaveText('已全部同步');

    // Fixed, the matter is saved, and the case page confirms it.
    await name.fill('苏德');
    await form.getByLabel('身份证号').fill('');
    await form.getByLabel('联系电话').fill('13948301234');
    await form.getByLabel('反映的问题及诉求 *').fill(`${width} 草场围栏被损坏，请求协调修复`);
    await form.getByLabel('甄别结果 *').selectOption('direct');
    await context.setOffline(true);
    await form.getByRole('button', { name: '保存登记' }).click();
    await page.waitForURL(/#\/case\/-\d+$/);
    await expect(page.getByTestId('saved')).toHaveText('已保存到本机，联网后自动上传');
    await context.setOffline(false);
    await expect(page.getByTestId('pending')).toHaveText('已全部同步', { timeout: 30_000 });
    await context.close();
  });
}
