// The employer's new order (issue #13 point 5): only what STAR's guide asks of the company — the
// task, the workplace and the responsible job centre, pre-selected from the workplace's postal
// code by "Find jobcenter" (a plain form post) and changeable to any job centre. The rest is in
// the optional group.
const { test, expect, checkPage, loginAs } = require('../lib/fixtures');
const { api, users } = require('../lib/stack');
const { flash } = require('../lib/page');

/** Fills the required fields and looks the job centre up; returns the order's title (the description's first line). */
async function fillRequired(page, postalCode) {
  const title = `Tømrer ${Date.now()} søges til tage`;
  await page.getByLabel('Beskrivelse af opgaven').fill(`${title}\nVi renoverer tage og søger en erfaren tømrer.`);
  await page.getByLabel('Adresse').fill('Søren Frichs Vej 38');
  await page.getByLabel('Postnummer').fill(postalCode);
  await page.getByRole('button', { name: 'Find jobcenter' }).click();
  return title;
}

const jobcenter = (page) => page.getByLabel('Ansvarligt jobcenter');

test('an employer creates an order with only the required fields, the job centre pre-selected from the postal code, and sees it in its list', async ({ page }) => {
  await loginAs(page, 'Example Employer', '/job-orders/new');
  await expect(page).toHaveURL(/\/job-orders\/new$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Opret jobordre' })).toBeVisible();
  // The optional fields wait in a closed group.
  await expect(page.getByText('Valgfrit – flere oplysninger om jobbet')).toBeVisible();
  await expect(page.getByLabel(/^Titel/)).toBeHidden();
  await checkPage(page, 'employer-new-order');

  const title = await fillRequired(page, '8000');
  // Back from the server with the job centre of 8000 Aarhus C selected and everything typed kept.
  await expect(jobcenter(page)).toHaveValue('751');
  await expect(jobcenter(page).locator('option:checked')).toHaveText('Jobcenter Aarhus');
  await expect(page.getByText('Foreslået ud fra postnummer 8000: Jobcenter Aarhus.')).toBeVisible();
  await expect(page.getByLabel('Beskrivelse af opgaven')).toHaveValue(new RegExp('^' + title));
  await expect(page.getByLabel('Adresse')).toHaveValue('Søren Frichs Vej 38');
  await checkPage(page, 'employer-new-order-jobcenter');

  await page.getByRole('button', { name: 'Opret jobordre' }).click();
  await expect(page).toHaveURL(/\/job-orders\/[0-9a-f-]{36}$/);
  await expect(flash(page, 'Jobordren er oprettet.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await checkPage(page);
  const id = page.url().split('/').pop();
  const order = await api('GET', `/api/v1/job-orders/${id}`, users.employer);
  expect(order.responsible_jobcenter).toBe('751');
  expect(order.positions).toBe(1);

  await page.goto('/job-orders');
  await expect(page.getByRole('link', { name: title })).toBeVisible();
  await checkPage(page);
});

test('the pre-selected job centre can be changed to any other, and the order goes to the one chosen', async ({ page }) => {
  await loginAs(page, 'Example Employer', '/job-orders/new');
  await checkPage(page);
  const title = await fillRequired(page, '8000');
  await expect(jobcenter(page)).toHaveValue('751');
  await checkPage(page);
  // Vejle: a job centre no other spec counts the orders of (the stack is shared).
  await jobcenter(page).selectOption({ label: 'Jobcenter Vejle' });
  await page.getByRole('button', { name: 'Opret jobordre' }).click();
  await expect(flash(page, 'Jobordren er oprettet.')).toBeVisible();
  await checkPage(page);
  const id = page.url().split('/').pop();
  const order = await api('GET', `/api/v1/job-orders/${id}`, users.employer);
  expect(order.title).toBe(title);
  expect(order.responsible_jobcenter).toBe('630');
  expect(order.workplace.municipality_code).toBe('751');
});

test('a missing description gives the error summary with what was typed kept', async ({ page }) => {
  await loginAs(page, 'Example Employer', '/job-orders/new');
  await checkPage(page);
  await page.getByLabel('Adresse').fill('Søren Frichs Vej 38');
  await page.getByLabel('Postnummer').fill('8000');
  await page.getByRole('button', { name: 'Opret jobordre' }).click();
  const summary = page.locator('.alert-error');
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('link', { name: 'Beskriv opgaven (højst 5.000 tegn).' })).toBeVisible();
  await expect(page.getByLabel('Adresse')).toHaveValue('Søren Frichs Vej 38');
  await expect(page.getByLabel('Postnummer')).toHaveValue('8000');
  await expect(jobcenter(page)).toHaveValue('751');
  await checkPage(page, 'employer-new-order-error');
  // The summary's link leads to the field.
  await summary.getByRole('link', { name: 'Beskriv opgaven (højst 5.000 tegn).' }).click();
  await expect(page.getByLabel('Beskrivelse af opgaven')).toBeFocused();
});
