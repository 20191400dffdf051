// The accessibility statement and the keyboard.
const { test, expect, checkPage, loginAs } = require('../lib/fixtures');

test('the accessibility statement is published without a login', async ({ page }) => {
  await page.goto('/tilgaengelighed');
  await expect(page.getByRole('heading', { level: 1, name: 'Tilgængelighedserklæring' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Overholdelse' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Feedback og kontakt' })).toBeVisible();
  await checkPage(page, 'accessibility');
  // Every page links to it.
  await page.goto('/login');
  await checkPage(page);
  await page.getByRole('link', { name: 'Tilgængelighedserklæring' }).click();
  await expect(page).toHaveURL(/\/tilgaengelighed$/);
});

test('the keyboard alone: the skip link comes first and leads to the content, then the menu', async ({ page }) => {
  await loginAs(page, 'Example Caseworker');
  await expect(page.getByRole('heading', { level: 1, name: 'Indbakke' })).toBeVisible();
  await checkPage(page);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Gå til sidens indhold' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main-content')).toBeFocused();
  // Back at the top, the main menu is reachable by Tab and opens with Enter.
  await page.goto('/');
  let found = false;
  for (let i = 0; i < 15 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement && document.activeElement.textContent.trim() === 'Jobordrer');
  }
  expect(found, 'the menu link "Jobordrer" is reachable with Tab').toBe(true);
});
