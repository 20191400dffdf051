// The order page's boundaries on the real dev stack: no session → the login and back to the
// order; a job centre the order is not shared with → the 404 page; a command form posted without
// its CSRF token or from another origin → refused, and the order page shows nothing changed.
const { test, expect, checkPage, loginAs, loginWithToken } = require('../lib/fixtures');
const { api, users, newOrder, token } = require('../lib/stack');

/** An order of Randers (730), internal: only Randers may see it. */
async function randersOrder() {
  return api('POST', '/api/v1/job-orders', users.employer, newOrder({
    title: `Grænsetest ${Date.now()}`,
    workplace: { address: 'Østervold 21', postal_code: '8900', municipality_code: '730' },
    responsible_jobcenter: '730',
  }), [201]);
}

test('the order page without a session goes to the login and back to the order after it', async ({ page }) => {
  const order = await randersOrder();
  const orderPath = '/job-orders/' + order.id;
  await page.goto(orderPath);
  await expect(page).toHaveURL(new RegExp('/login\\?next=' + encodeURIComponent(orderPath).replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$'));
  await expect(page.getByRole('heading', { level: 1, name: 'Log ind' })).toBeVisible();
  await checkPage(page);
  await page.getByLabel('Token').fill(token(users.randers));
  await page.getByRole('button', { name: 'Log ind med token' }).click();
  await expect(page).toHaveURL(new RegExp(orderPath + '$'));
  await expect(page.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
  await checkPage(page);
});

test('a caseworker of a job centre the order is not shared with gets the 404 page', async ({ page }) => {
  const order = await randersOrder();
  // Copenhagen (101) is no neighbour of Randers; the order is internal anyway.
  await loginAs(page, 'Far Caseworker', '/job-orders/' + order.id);
  await expect(page.getByRole('heading', { level: 1, name: 'Siden findes ikke' })).toBeVisible();
  await expect(page.getByText(order.title)).toHaveCount(0);
  const res = await page.request.get('/job-orders/' + order.id);
  expect(res.status()).toBe(404);
  await checkPage(page, 'not-found');
});

test('a command form posted without its CSRF token, or from another origin, is refused and changes nothing', async ({ page }) => {
  const order = await randersOrder();
  const orderPath = '/job-orders/' + order.id;
  await loginWithToken(page, users.randers, orderPath);
  await expect(page.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
  await checkPage(page);
  const csrf = await page.locator('form[action$="/coordinator"] input[name=csrf_token]').first().inputValue();

  // Same origin, no token: 403 before any handler runs.
  const noToken = await page.request.post(orderPath + '/coordinator', { form: { coordinator_id: users.randers.sub }, maxRedirects: 0 });
  expect(noToken.status()).toBe(403);
  const noTokenContact = await page.request.post(orderPath + '/contacts', { form: { contact_note: 'uden token' }, maxRedirects: 0 });
  expect(noTokenContact.status()).toBe(403);
  // Another origin, even with the session's token: refused by the cross-origin protection.
  const crossSite = await page.request.post(orderPath + '/coordinator', {
    form: { csrf_token: csrf, coordinator_id: users.randers.sub }, maxRedirects: 0,
    headers: { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
  });
  expect(crossSite.status()).toBe(403);

  // Nothing changed: the page still has no coordinator and no contact, and neither does the API.
  await page.reload();
  await expect(page.getByText('Jobordren har ingen tovholder endnu.')).toBeVisible();
  await expect(page.getByText('Der er ikke registreret kontakt med arbejdsgiveren endnu.')).toBeVisible();
  await expect(page.getByText('uden token')).toHaveCount(0);
  const stored = await api('GET', '/api/v1/job-orders/' + order.id, users.randers);
  expect(stored).toHaveProperty('coordinator', null);

  // The same form from the page itself, with its token, works.
  await page.getByRole('button', { name: 'Gør mig til tovholder' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Tovholderen er valgt.' })).toBeVisible();
  await expect(page.getByText('Tovholder: Randi Randers')).toBeVisible();
});
