// The order list (/job-orders): tabs, filters, sorting, pages, each row a link to its order.
const { test, expect, checkPage, loginAs } = require('../lib/fixtures');
const { api, users, newOrder } = require('../lib/stack');

/** Creates an order through the API as p and returns it. */
async function order(p, overrides) {
  return api('POST', '/api/v1/job-orders', p, newOrder(overrides));
}

test('the order list filters by title, coordinator and status, and a row opens its order', async ({ page }) => {
  const tag = `Liste${Date.now()}`;
  const mine = await order(users.caseworker, { title: `${tag} tømrer til tag` });
  const free = await order(users.caseworker, { title: `${tag} murer`, occupation_code: '7112' });
  await api('PUT', `/api/v1/job-orders/${mine.id}/coordinator`, users.caseworker, { caseworker_id: users.caseworker.sub });
  const theirs = await order(users.neighbour, {
    title: `${tag} Favrskov`, responsible_jobcenter: '710',
    workplace: { address: 'Skovvej 1', postal_code: '8450', municipality_code: '710' },
  });
  await api('PUT', `/api/v1/job-orders/${theirs.id}/sharing`, users.neighbour, { level: 'neighbours' });

  await loginAs(page, 'Example Caseworker', '/job-orders');
  await expect(page).toHaveURL(/\/job-orders$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Jobordrer' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Mit jobcenters jobordrer' })).toHaveAttribute('aria-current', 'page');
  await checkPage(page, 'joborders');

  // Free text on the title.
  await page.getByLabel('Titel').fill(tag);
  await page.getByRole('button', { name: 'Vis jobordrer' }).click();
  const results = page.locator('#order-results');
  await expect(results.getByRole('link', { name: `${tag} tømrer til tag` })).toBeVisible();
  await expect(results.getByRole('link', { name: `${tag} murer` })).toBeVisible();
  await expect(results.getByText('Viser 1–2 af 2 jobordrer.')).toBeVisible();
  await expect(results.getByRole('link', { name: `${tag} Favrskov` })).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`q=${tag}`));
  await checkPage(page);

  // Coordinator = me.
  await page.getByLabel('Tovholder').selectOption('me');
  await page.getByRole('button', { name: 'Vis jobordrer' }).click();
  await expect(results.getByRole('link', { name: `${tag} tømrer til tag` })).toBeVisible();
  await expect(results.getByRole('link', { name: `${tag} murer` })).toHaveCount(0);
  await expect(page).toHaveURL(/coordinator=me/);
  await checkPage(page);

  // No coordinator, and a status without orders.
  await page.getByLabel('Tovholder').selectOption('none');
  await page.getByLabel('Status').selectOption('closed');
  await page.getByRole('button', { name: 'Vis jobordrer' }).click();
  await expect(results.getByText('Ingen jobordrer passer til filtrene.')).toBeVisible();
  await checkPage(page);
  await page.getByLabel('Status').selectOption('open');
  await page.getByRole('button', { name: 'Vis jobordrer' }).click();
  await expect(results.getByRole('link', { name: `${tag} murer` })).toBeVisible();
  await expect(results.getByRole('link', { name: `${tag} tømrer til tag` })).toHaveCount(0);
  await checkPage(page);

  // A period that ends before it starts: the error summary, the form kept.
  await page.getByLabel('Oprettet fra').fill('2026-12-05');
  await page.getByLabel('Oprettet til og med').fill('2026-12-01');
  await page.getByRole('button', { name: 'Vis jobordrer' }).click();
  await expect(page.locator('.alert-error')).toContainText('Slutdatoen skal være en dato');
  await expect(page.getByLabel('Titel')).toHaveValue(tag);
  await checkPage(page);

  // The tab of orders shared with my job centre shows the neighbour's order.
  await page.getByRole('link', { name: 'Delt med mit jobcenter' }).click();
  await expect(page.getByRole('link', { name: 'Delt med mit jobcenter' })).toHaveAttribute('aria-current', 'page');
  await page.getByLabel('Titel').fill(tag);
  await page.getByRole('button', { name: 'Vis jobordrer' }).click();
  await expect(results.getByRole('link', { name: `${tag} Favrskov` })).toBeVisible();
  await expect(results.getByRole('link', { name: `${tag} murer` })).toHaveCount(0);
  await checkPage(page, 'joborders-shared');

  // A row opens its order.
  await results.getByRole('link', { name: `${tag} Favrskov` }).click();
  await expect(page).toHaveURL(new RegExp(`/job-orders/${theirs.id}$`));
  await expect(page.getByRole('heading', { level: 1, name: `${tag} Favrskov` })).toBeVisible();
  await checkPage(page);
  void free;
});

test('the order list sorts and pages', async ({ page }) => {
  const tag = `Side${Date.now()}`;
  for (let i = 0; i < 27; i++) {
    await order(users.caseworker, { title: `${tag} ${String(i).padStart(2, '0')}` });
  }
  await loginAs(page, 'Example Caseworker', `/job-orders?q=${tag}&sort=title`);
  const results = page.locator('#order-results');
  await expect(results.getByText('Viser 1–25 af 27 jobordrer.')).toBeVisible();
  await expect(results.locator('tbody tr').first()).toContainText(`${tag} 00`);
  await checkPage(page, 'joborders-pages');
  await page.getByRole('link', { name: 'Side 2', exact: true }).click();
  await expect(results.getByText('Viser 26–27 af 27 jobordrer.')).toBeVisible();
  await expect(results.locator('tbody tr').first()).toContainText(`${tag} 25`);
  await checkPage(page);
  await page.getByLabel('Sortér efter').selectOption('newest');
  await page.getByRole('button', { name: 'Vis jobordrer' }).click();
  await expect(results.locator('tbody tr').first()).toContainText(`${tag} 26`);
  await checkPage(page);
});

// Without JavaScript the filters are a plain GET form. axe-core needs JavaScript, so this
// browser context is not the checked fixture page; the same pages are axe-checked above.
test('without JavaScript the filters are a plain GET form', async ({ browser, baseURL }) => {
  const tag = `NoJS${Date.now()}`;
  await order(users.caseworker, { title: `${tag} tømrer` });
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
  try {
    const page = await context.newPage();
    await page.goto('/login?next=%2Fjob-orders');
    await page.getByRole('button', { name: /^Log ind som Example Caseworker/ }).click();
    await expect(page).toHaveURL(/\/job-orders$/);
    await page.getByLabel('Titel').fill(tag);
    await page.getByRole('button', { name: 'Vis jobordrer' }).click();
    await expect(page).toHaveURL(new RegExp(`/job-orders\\?.*q=${tag}`));
    await expect(page.locator('#order-results').getByRole('link', { name: `${tag} tømrer` })).toBeVisible();
  } finally {
    await context.close();
  }
});

test('an employer sees its own company\'s orders, without tabs', async ({ page }) => {
  const tag = `Firma${Date.now()}`;
  const own = await order(users.caseworker, { title: `${tag} eget` });
  await order(users.caseworker, { title: `${tag} andet`, company_cvr: '12345674' });
  await loginAs(page, 'Example Employer', `/job-orders?q=${tag}`);
  const results = page.locator('#order-results');
  await expect(results.getByRole('link', { name: `${tag} eget` })).toBeVisible();
  await expect(results.getByRole('link', { name: `${tag} andet` })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Mit jobcenters jobordrer' })).toHaveCount(0);
  await checkPage(page, 'joborders-employer');
  await results.getByRole('link', { name: `${tag} eget` }).click();
  await expect(page).toHaveURL(new RegExp(`/job-orders/${own.id}$`));
  await checkPage(page);
});
