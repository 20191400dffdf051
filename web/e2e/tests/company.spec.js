// The company page (issue #13 point 5): the company's own people see its profile and contact
// persons; the main contact (hovedkontaktperson) adds a contact and hands the role on, all as
// plain form posts; another company's page is the 404 page. The companies are ones no other spec
// uses (CVR 31000009 and 31000017), registered through the API as their first employer.
const { test, expect, checkPage, loginWithToken } = require('../lib/fixtures');
const { api } = require('../lib/stack');
const { flash } = require('../lib/page');

const cvr = '31000009';
const mona = { role: 'employer', sub: 'employer-mona-31000009', cvr, name: 'Mona Madsen', email: 'mona@hovedfirma.example' };
const lars = { role: 'employer', sub: 'employer-lars-31000009', cvr, name: 'Lars Lund', email: 'lars@hovedfirma.example' };
const other = { role: 'employer', sub: 'employer-otto-31000017', cvr: '31000017', name: 'Otto Olsen', email: 'otto@andetfirma.example' };

test.beforeAll(async () => {
  // 409: registered already, by this hook in a worker before (Playwright starts a new worker,
  // and runs the hook again, after a failed test).
  await api('POST', '/api/v1/companies', mona, { cvr, name: 'Hovedfirma ApS', industry_code: '43.32.00' }, [201, 409]);
});

test('the main contact adds a contact person and hands the main contact role to them in the browser', async ({ page, newPage }) => {
  // Two browsers and seven pages checked with axe at two widths: on a loaded machine this takes
  // longer than the default 90 s.
  test.setTimeout(240_000);
  // The menu's "Virksomheden" leads to the company page.
  await loginWithToken(page, mona, '/job-orders');
  await expect(page).toHaveURL(/\/job-orders$/);
  await checkPage(page);
  await page.getByRole('link', { name: 'Virksomheden' }).click();
  await expect(page).toHaveURL(new RegExp(`/companies/${cvr}$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Hovedfirma ApS' })).toBeVisible();
  const contacts = page.locator('#contacts-table');
  await expect(contacts.getByRole('row', { name: /Mona Madsen/ })).toContainText('Hovedkontaktperson');
  await checkPage(page, 'company');

  // Add Lars as a contact person.
  await page.getByLabel('Bruger-id').fill(lars.sub);
  await page.getByLabel('Navn', { exact: true }).fill(lars.name);
  await page.getByLabel('E-mail', { exact: true }).fill(lars.email);
  await page.getByRole('button', { name: 'Tilføj kontaktperson' }).click();
  await expect(flash(page, 'Kontaktpersonen er tilføjet.')).toBeVisible();
  await expect(contacts.getByRole('row', { name: /Lars Lund/ })).toContainText('Kontaktperson');
  await checkPage(page);

  // Hand the role on to him.
  await page.getByLabel('Ny hovedkontaktperson').selectOption({ label: `${lars.name} (${lars.email})` });
  await page.getByRole('button', { name: 'Giv rollen videre' }).click();
  await expect(flash(page, 'Rollen som hovedkontaktperson er givet videre.')).toBeVisible();
  await expect(page.getByText('Hovedkontaktperson: Lars Lund.')).toBeVisible();
  await expect(contacts.getByRole('row', { name: /Lars Lund/ })).toContainText('Hovedkontaktperson');
  await expect(contacts.getByRole('row', { name: /Mona Madsen/ })).not.toContainText('Hovedkontaktperson');
  // Mona can no longer hand over or add contacts: no forms, and the API refuses her.
  await expect(page.getByRole('button', { name: 'Giv rollen videre' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Tilføj kontaktperson' })).toHaveCount(0);
  await expect(page.getByText('Kun hovedkontaktpersonen, Lars Lund, kan tilføje kontaktpersoner og give rollen videre.')).toBeVisible();
  await checkPage(page, 'company-handed-over');
  await api('PUT', `/api/v1/companies/${cvr}/main-contact`, mona, { contact_id: mona.sub }, [403]);
  const company = await api('GET', `/api/v1/companies/${cvr}`, lars);
  expect(company.contacts.filter((c) => c.main).map((c) => c.id)).toEqual([lars.sub]);

  // Lars, now the main contact, is offered the hand-over back to Mona.
  const larsPage = await newPage();
  await loginWithToken(larsPage, lars, `/companies/${cvr}`);
  await expect(larsPage).toHaveURL(new RegExp(`/companies/${cvr}$`));
  await expect(larsPage.getByLabel('Ny hovedkontaktperson').locator('option', { hasText: 'Mona Madsen' })).toHaveCount(1);
  await checkPage(larsPage);
});

test("another company's page is the 404 page", async ({ page }) => {
  await loginWithToken(page, other, `/companies/${cvr}`);
  await expect(page).toHaveURL(new RegExp(`/companies/${cvr}$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Siden findes ikke' })).toBeVisible();
  await expect(page.getByText('Hovedfirma ApS')).toHaveCount(0);
  await checkPage(page);
});
