// Login, sessions and CSRF on the real dev stack.
const { test, expect, checkPage, loginAs } = require('../lib/fixtures');
const { token, users, stack } = require('../lib/stack');

test('a page without a session goes to the login and back to the page after it', async ({ page }) => {
  await page.goto('/?from=mail');
  await expect(page).toHaveURL(/\/login\?next=%2F%3Ffrom%3Dmail$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Log ind' })).toBeVisible();
  await checkPage(page, 'login');
  await page.getByRole('button', { name: /^Log ind som Example Caseworker/ }).click();
  await expect(page).toHaveURL(/\/\?from=mail$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Indbakke' })).toBeVisible();
  await expect(page.getByText('Example Caseworker, sagsbehandler')).toBeVisible();
  await checkPage(page);
});

test('a bearer token from jobordre token logs in; a bad one is refused at the field, the text kept', async ({ page }) => {
  await page.goto('/login');
  await checkPage(page);
  const field = page.getByLabel('Token');
  await field.fill('not-a-token');
  await page.getByRole('button', { name: 'Log ind med token' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Der er problemer' })).toBeVisible();
  await expect(page.locator('#field-token-error')).toContainText('Tokenet blev afvist');
  await expect(page.getByLabel('Token')).toHaveValue('not-a-token');
  await expect(page.getByLabel('Token')).toHaveAttribute('aria-invalid', 'true');
  await checkPage(page, 'login-error');
  // The error summary links to the field.
  await page.getByRole('link', { name: /Tokenet blev afvist/ }).click();
  await expect(page.getByLabel('Token')).toBeFocused();

  await page.getByLabel('Token').fill(token({ role: 'manager', sub: 'mgr-token', jobcenter: '751', name: 'Token Manager' }));
  await page.getByRole('button', { name: 'Log ind med token' }).click();
  // A manager's start page is the dashboard of their job centre (manager.spec.js).
  await expect(page.getByRole('heading', { level: 1, name: 'Nøgletal for Jobcenter Aarhus' })).toBeVisible();
  await expect(page.getByText('Token Manager, leder')).toBeVisible();
  await checkPage(page);
});

test("a case system's token (role system) is refused at the field: it is for the API, not the console", async ({ page }) => {
  await page.goto('/login');
  // The dev stack's example case system has a token but is not offered as a console user.
  await expect(page.getByRole('button', { name: /Example case system/ })).toHaveCount(0);
  await page.getByLabel('Token').fill(token({ role: 'system', sub: 'system-751', jobcenter: '751' }));
  await page.getByRole('button', { name: 'Log ind med token' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Der er problemer' })).toBeVisible();
  await expect(page.locator('#field-token-error')).toContainText('giver adgang til API\'et, ikke til konsollen');
  await expect(page.getByLabel('Token')).toHaveAttribute('aria-invalid', 'true');
  await checkPage(page);
  // Still not logged in: a page sends the browser back to the login.
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
});

test('the session cookie is HttpOnly and SameSite=Lax, and login replaces it', async ({ page, context }) => {
  await page.goto('/login');
  await checkPage(page);
  const before = (await context.cookies()).find((c) => c.name.includes('jobordre-session'));
  expect(before, 'an anonymous session before the login').toBeTruthy();
  expect(before.httpOnly).toBe(true);
  expect(before.sameSite).toBe('Lax');
  await page.getByRole('button', { name: /^Log ind som Example Caseworker/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Indbakke' })).toBeVisible();
  await checkPage(page);
  const after = (await context.cookies()).find((c) => c.name.includes('jobordre-session'));
  expect(after.value).not.toBe(before.value);
  expect(after.httpOnly).toBe(true);
  expect(after.sameSite).toBe('Lax');
  // http://127.0.0.1 (the dev stack) is the one place the cookie is not Secure (docs/console.md).
  expect(after.secure).toBe(false);
  expect(after.expires).toBe(-1);
});

test('logout ends the session on the server: the old cookie no longer logs in', async ({ page, context, browser }) => {
  await loginAs(page, 'Example Caseworker');
  await expect(page.getByRole('heading', { level: 1, name: 'Indbakke' })).toBeVisible();
  await checkPage(page);
  const cookie = (await context.cookies()).find((c) => c.name.includes('jobordre-session'));
  await page.getByRole('button', { name: 'Log af' }).first().click();
  await expect(page).toHaveURL(/\/login\?logged_out=1$/);
  await expect(page.getByText('Du er logget af.')).toBeVisible();

  // A second browser that copied the cookie before the logout gets the login page.
  const other = await browser.newContext({ baseURL: stack().baseURL });
  await other.addCookies([{ ...cookie }]);
  const res = await other.request.get('/', { maxRedirects: 0 });
  expect(res.status()).toBe(303);
  expect(res.headers()['location']).toMatch(/^\/login\?next=/);
  await other.close();
});

test('a form posted without its CSRF token, or from another origin, is refused and changes nothing', async ({ page }) => {
  await loginAs(page, 'Example Caseworker');
  await expect(page.getByRole('heading', { level: 1, name: 'Indbakke' })).toBeVisible();
  await checkPage(page);
  // Same origin, no token: 403, and the session still works.
  const noToken = await page.request.post('/logout', { form: { x: '1' }, maxRedirects: 0 });
  expect(noToken.status()).toBe(403);
  expect(await noToken.text()).toContain('Det har du ikke adgang til');
  // Another origin, even with the right token: refused by the cross-origin protection.
  const csrf = await page.locator('input[name=csrf_token]').first().inputValue();
  const crossSite = await page.request.post('/logout', {
    form: { csrf_token: csrf }, maxRedirects: 0,
    headers: { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
  });
  expect(crossSite.status()).toBe(403);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Indbakke' })).toBeVisible();
  // With the token, from the page itself, the same form works.
  await page.getByRole('button', { name: 'Log af' }).first().click();
  await expect(page).toHaveURL(/logged_out=1/);
  await checkPage(page);
});

test('the session dialog warns before an idle session ends, and "stay logged in" extends it', async ({ page }) => {
  await page.clock.install();
  await loginAs(page, 'Example Caseworker');
  await expect(page.getByRole('heading', { level: 1, name: 'Indbakke' })).toBeVisible();
  await checkPage(page);
  const dialog = page.getByRole('dialog', { name: 'Du bliver snart logget af' });
  await expect(dialog).toBeHidden();
  // The idle timeout is 30 minutes; the dialog opens 5 minutes before.
  await page.clock.fastForward('25:01');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(/4 min\. 5\d sek\./);
  await checkPage(page, 'session-dialog');
  const extended = page.waitForResponse((r) => r.url().endsWith('/session/extend'));
  await dialog.getByRole('button', { name: 'Forbliv logget ind' }).click();
  expect((await extended).status()).toBe(200);
  await expect(dialog).toBeHidden();
});

test('the language follows the browser and the switch, in Danish by default', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: stack().baseURL, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto('/login');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1, name: 'Log in' })).toBeVisible();
  await page.getByRole('link', { name: 'Dansk' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'da');
  await expect(page.getByRole('heading', { level: 1, name: 'Log ind' })).toBeVisible();
  await page.goto('/tilgaengelighed');
  await expect(page.getByRole('heading', { level: 1, name: 'Tilgængelighedserklæring' })).toBeVisible();
  await context.close();
});
