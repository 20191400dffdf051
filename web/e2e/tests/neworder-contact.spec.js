// The new-order page for a company that has not registered: the caseworker gives the company's
// name and the person it spoke to, who then receives the employer's mail about the order.
const { test, expect, checkPage, loginAs } = require('../lib/fixtures');
const { api, users } = require('../lib/stack');

// A CVR number (modulus 11) no other spec uses: the company is unknown to the stack.
const cvr = '31405009';

test('a caseworker creates an order for an unregistered company with a new contact person', async ({ page }) => {
  await loginAs(page, 'Example Caseworker', '/job-orders/new');
  await expect(page.getByRole('heading', { level: 1, name: 'Opret jobordre' })).toBeVisible();
  await checkPage(page, 'new-order');

  // Typing the CVR asks (htmx) for the company: it is unknown, so its name is asked for.
  await page.locator('[name="company_cvr"]').fill(cvr);
  await page.locator('[name="company_cvr"]').press('Tab');
  await expect(page.getByText('Virksomheden er ikke registreret hos os endnu.')).toBeVisible();
  await expect(page.getByLabel('Virksomhedens navn')).toBeVisible();

  const title = `Tømrer ${Date.now()}`;
  await page.locator('[name="title"]').fill(title);
  await page.locator('[name="description"]').fill('To erfarne tømrere til renovering af vinduer og tage.');
  await page.locator('[name="occupation_code"]').fill('7115');
  await page.locator('[name="workplace.address"]').fill('Søren Frichs Vej 38');
  await page.locator('[name="workplace.postal_code"]').fill('8000');
  await page.locator('[name="contact_person.name"]').fill('Hanne Hansen');
  await page.locator('[name="contact_person.email"]').fill('hanne.nord.example');
  await page.locator('[name="contact_person.phone"]').fill('+45 86 12 34 56');

  // Without the company's name and with a bad e-mail address: the error summary names both,
  // and everything typed is kept.
  await page.getByRole('button', { name: 'Opret jobordre' }).click();
  const summary = page.locator('[data-module="error-summary"]');
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('link', { name: /Skriv virksomhedens navn/ })).toBeVisible();
  await expect(summary.getByRole('link', { name: /Skriv kontaktpersonens e-mailadresse/ })).toBeVisible();
  await expect(page.locator('[name="contact_person.name"]')).toHaveValue('Hanne Hansen');
  await expect(page.locator('[name="title"]')).toHaveValue(title);
  await checkPage(page, 'new-order-error');

  // The summary's link leads to the field.
  await summary.getByRole('link', { name: /Skriv virksomhedens navn/ }).click();
  await expect(page.getByLabel('Virksomhedens navn')).toBeFocused();
  await page.getByLabel('Virksomhedens navn').fill('Tømrerfirmaet Nord ApS');
  await page.locator('[name="company_address"]').fill('Industrivej 4');
  await page.locator('[name="company_postal_code"]').fill('8200');
  await page.locator('[name="contact_person.email"]').fill('hanne@nord.example');
  await page.getByRole('button', { name: 'Opret jobordre' }).click();

  // The order's page: the company by name, and the contact person with address and phone.
  await expect(page).toHaveURL(/\/job-orders\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.locator('.order-lead')).toContainText('Tømrerfirmaet Nord ApS');
  await expect(page.getByText('Hanne Hansen, hanne@nord.example, +45 86 12 34 56')).toBeVisible();
  await checkPage(page);
  const id = page.url().split('/').pop();

  // The company is stored as the job centre's, with Hanne as its contact.
  const company = await api('GET', `/api/v1/companies/${cvr}`, users.caseworker);
  expect(company.name).toBe('Tømrerfirmaet Nord ApS');
  expect(company.registered).toBe(false);
  expect(company.contacts.map((c) => c.email)).toEqual(['hanne@nord.example']);

  // Hanne gets the employer's order_received mail.
  await expect.poll(async () => {
    const out = await api('GET', `/api/v1/outbox?job_order_id=${id}&template=order_received`, users.admin);
    return out.items.map((m) => `${m.recipient}:${m.status}`);
  }, { timeout: 20_000 }).toEqual(['hanne@nord.example:delivered']);
});
