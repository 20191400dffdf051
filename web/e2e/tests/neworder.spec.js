// The new-order page (/job-orders/new) as a caseworker: the responsible job centre is the
// caseworker's own, pre-selected; an ambiguous postal code (8600 lies in three municipalities)
// offers a choice of municipality, with JavaScript (htmx swaps the choice in as the code is
// typed) and as the page itself (the GET htmx makes, which a browser without it makes too); the ISCO-08 occupation picker
// offers the unit groups and the order is stored with the picked code. The company and contact
// person fields are in neworder-contact.spec.js.
//
// The job centre is Silkeborg (740): no other spec uses it. The CVR number (modulus 11) is one no
// other spec uses.
const { test, expect, checkPage, loginWithToken } = require('../lib/fixtures');
const { api } = require('../lib/stack');

const silkeborg = { role: 'caseworker', sub: 'caseworker-silkeborg', jobcenter: '740', name: 'Sofie Silkeborg', email: 'caseworker-silkeborg@jobcenter.example' };
const cvr = '40740007';

test('a caseworker picks the municipality of an ambiguous postal code and an ISCO-08 occupation; the job centre is pre-selected', async ({ page }) => {
  await loginWithToken(page, silkeborg, '/job-orders/new');
  await expect(page.getByRole('heading', { level: 1, name: 'Opret jobordre' })).toBeVisible();
  await checkPage(page);

  // The caseworker's own job centre is chosen already.
  const jobcenter = page.getByLabel('Ansvarligt jobcenter');
  await expect(jobcenter).toHaveValue('740');
  await expect(jobcenter.locator('option:checked')).toHaveText('Jobcenter Silkeborg');

  // 8600 lies in Silkeborg, Skanderborg and Ikast-Brande: typing it offers the three.
  const postal = page.locator('[name="workplace.postal_code"]');
  await postal.fill('8600');
  await postal.press('Tab');
  const municipality = page.getByLabel('Kommune', { exact: true });
  await expect(municipality).toBeVisible();
  await expect(municipality.locator('option')).toHaveText(['Vælg kommune', 'Silkeborg', 'Skanderborg', 'Ikast-Brande']);
  // A postal code in one municipality names it instead.
  await postal.fill('8000');
  await postal.press('Tab');
  await expect(page.getByText('Kommune: Aarhus')).toBeVisible();
  await expect(page.getByLabel('Kommune', { exact: true })).toHaveCount(0);
  await postal.fill('8600');
  await postal.press('Tab');
  await expect(municipality.locator('option')).toHaveCount(4);
  await checkPage(page, 'new-order-municipality');

  // The occupation picker's suggestions are the ISCO-08 unit groups, code first (the server
  // reads the code); their titles' language is the last test's subject.
  const picker = page.getByLabel('Stilling (ISCO-08)');
  const list = await picker.getAttribute('list');
  const carpenters = page.locator(`datalist#${list} option[value^="7115 "]`);
  await expect(carpenters).toHaveCount(1);
  const title = await carpenters.getAttribute('value');
  expect(await page.locator(`datalist#${list} option`).count()).toBeGreaterThan(400);

  // Fill in the order: the company (not known yet), the workplace in Silkeborg, the occupation.
  await page.locator('[name="company_cvr"]').fill(cvr);
  await page.locator('[name="company_cvr"]').press('Tab');
  await expect(page.getByText('Virksomheden er ikke registreret hos os endnu.')).toBeVisible();
  await page.getByLabel('Virksomhedens navn').fill('Søhøjlandets Tømrer ApS');
  const orderTitle = `Tømrer til Silkeborg ${Date.now()}`;
  await page.locator('[name="title"]').fill(orderTitle);
  await page.locator('[name="description"]').fill('En tømrer til nybyggeri ved søerne.');
  await picker.fill(title);
  await page.locator('[name="workplace.address"]').fill('Vestergade 16');
  await municipality.selectOption({ label: 'Silkeborg' });
  await page.getByRole('button', { name: 'Opret jobordre' }).click();

  await expect(page).toHaveURL(/\/job-orders\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: orderTitle })).toBeVisible();
  const facts = page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: 'Jobordren', exact: true }) });
  await expect(facts).toContainText('Vestergade 16, 8600 (Silkeborg)');
  await expect(facts).toContainText(`${title.slice(5)} (7115)`);
  await checkPage(page);
  const id = page.url().split('/').pop();
  const order = await api('GET', `/api/v1/job-orders/${id}`, silkeborg);
  expect([order.workplace.municipality_code, order.responsible_jobcenter, order.occupation_code]).toEqual(['740', '740', '7115']);
});

test('the new-order page asked for with an ambiguous postal code offers the choice itself (the form without htmx)', async ({ page }) => {
  // What htmx asks for as the code is typed is the page itself with the code: without
  // JavaScript the same GET gives the same choice.
  await loginWithToken(page, silkeborg, '/job-orders/new?workplace.postal_code=8600');
  await expect(page.getByRole('heading', { level: 1, name: 'Opret jobordre' })).toBeVisible();
  await expect(page.locator('[name="workplace.postal_code"]')).toHaveValue('8600');
  await expect(page.getByLabel('Kommune', { exact: true }).locator('option')).toHaveText(['Vælg kommune', 'Silkeborg', 'Skanderborg', 'Ikast-Brande']);
  await expect(page.getByLabel('Ansvarligt jobcenter')).toHaveValue('740');
  await checkPage(page);
});

// The issue asks for an occupation picker "over ISCO-08 with Danish titles". The reference data
// has Danish titles for the 10 major groups only (internal/refdata/data/SOURCES.md, "Danish
// titles (gap)": no trustworthy machine-readable copy of DST's DISCO-08 titles was found), so a
// Danish page offers "7115 Carpenters and joiners". This test states the requirement and is
// expected to fail until DISCO-08's titles are in isco08.csv's title_da; then remove test.fail.
test('the occupation picker offers the unit groups with their Danish (DISCO-08) titles', async ({ page }) => {
  test.fail(true, 'isco08.csv has no Danish titles below the major groups (SOURCES.md, "Danish titles (gap)")');
  await loginWithToken(page, silkeborg, '/job-orders/new');
  await checkPage(page);
  const list = await page.getByLabel('Stilling (ISCO-08)').getAttribute('list');
  await expect(page.locator(`datalist#${list} option[value^="7115 "]`)).toHaveAttribute('value', /^7115 .*[Tt]ømrer/, { timeout: 2000 });
});
