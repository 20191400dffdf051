// The keyboard alone: move the focus with Tab (as a person without a mouse does) until it
// reaches an element, failing when it never does (the element is not in the tab order).
const { expect } = require('@playwright/test');

/**
 * Presses Tab until target has the focus, at most max times.
 * @param {import('@playwright/test').Page} page
 * @param {import('@playwright/test').Locator} target
 */
async function tabTo(page, target, max = 250) {
  const el = await target.elementHandle();
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await el.evaluate((e) => e === document.activeElement)) {
      return;
    }
  }
  expect(false, `reached ${target} with Tab`).toBe(true);
}

/**
 * Checks a radio button with the arrow keys: Tab into its group, then ArrowDown until it is
 * checked (arrow keys move the selection within a group).
 * @param {import('@playwright/test').Page} page
 * @param {import('@playwright/test').Locator} group the group's radios, e.g. page.locator('input[name=status]')
 * @param {import('@playwright/test').Locator} radio the one to check
 */
async function arrowToRadio(page, group, radio) {
  const radios = await group.elementHandles();
  const checked = await Promise.all(radios.map((r) => r.evaluate((e) => e.checked)));
  const entry = checked.includes(true) ? group.nth(checked.indexOf(true)) : group.first();
  await tabTo(page, entry);
  if (!checked.includes(true)) {
    await page.keyboard.press('Space'); // a group with nothing checked: Space checks the first
  }
  for (let i = 0; i < radios.length && !(await radio.isChecked()); i++) {
    await page.keyboard.press('ArrowDown');
  }
  await expect(radio).toBeChecked();
}

module.exports = { tabTo, arrowToRadio };
