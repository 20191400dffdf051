// The manager's screens: the dashboard's figures of a hand-built data set with their charts and
// the CSV the API gives, the follow-up lists each holding exactly its orders, and a sharing step
// changed in the policy editor: previewed, saved, and seen on a running order's page; a retention
// period set in the editor, seen after a reload, and an unreadable one refused. Each test
// uses a job centre of its own, so the other specs' orders do not change its numbers.
const { test, expect, checkPage } = require('../lib/fixtures');
const { api, token, stack, newOrder } = require('../lib/stack');

/** A job centre's caseworker and manager, and a new order of it. */
function centre(code, city, postal, slug) {
  const cw = { role: 'caseworker', sub: `cw-${slug}`, jobcenter: code, name: `${city} Sagsbehandler`, email: `cw-${slug}@jobcenter.example` };
  const mgr = { role: 'manager', sub: `mgr-${slug}`, jobcenter: code, name: `${city} Leder`, email: `mgr-${slug}@jobcenter.example` };
  const order = (overrides = {}) => api('POST', '/api/v1/job-orders', cw, newOrder({
    responsible_jobcenter: code, workplace: { address: 'Torvet 1', postal_code: postal, municipality_code: code }, ...overrides,
  }));
  return { cw, mgr, order };
}

/** Logs in with a bearer token on the dev stack's login page. */
async function loginWithToken(page, principal) {
  await page.goto('/login');
  if (!page.a11yChecked.has('/login')) {
    await checkPage(page);
  }
  await page.getByLabel('Token').fill(token(principal));
  await page.getByRole('button', { name: 'Log ind med token' }).click();
  await page.waitForURL((u) => u.pathname !== '/login');
}

/** Reloads the page until check passes (the figures follow the orders' workflows). */
async function eventually(page, check) {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: 30_000, intervals: [500, 1000, 2000] });
}

test('the dashboard shows the figures of a hand-built data set, its charts, and the CSV the API gives', async ({ page }) => {
  const { cw, mgr, order } = centre('370', 'Næstved', '4700', 'naestved');
  const tag = `Dash${Date.now()}`;
  const a = await order({ title: `${tag} A`, occupation_code: '7115', positions: 2 });
  await order({ title: `${tag} B`, occupation_code: '7115', positions: 2 });
  const c = await order({ title: `${tag} C`, occupation_code: '2512', positions: 1 });
  await api('PUT', `/api/v1/job-orders/${a.id}/coordinator`, cw, { caseworker_id: cw.sub });
  await api('PUT', `/api/v1/job-orders/${c.id}/status`, cw, { status: 'closed', reason: 'filled' });

  await loginWithToken(page, mgr);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Nøgletal for Jobcenter Næstved' })).toBeVisible();
  const figure = (key, col) => page.locator(`#key-figures tr[data-figure="dashboard.figure.${key}"] td[data-col="${col}"]`);
  await eventually(page, async () => {
    await expect(figure('filled', 'value')).toHaveText('1');
    await expect(figure('with_coordinator_share', 'value')).toHaveText('33,3 %');
  });
  await expect(figure('orders', 'value')).toHaveText('3');
  await expect(figure('orders', 'before')).toHaveText('0');
  await expect(figure('orders', 'change')).toHaveText('+3');
  await expect(figure('positions', 'value')).toHaveText('5');
  await expect(figure('filled', 'change')).toHaveText('+1');

  // This month's row of the monthly table, and the ranked positions.
  const month = page.locator('#months-table tbody tr').last();
  await expect(month.locator('td').nth(0)).toHaveText('3');
  await expect(month.locator('td').nth(1)).toHaveText('1');
  const positions = page.locator('#positions-table tbody tr');
  await expect(positions).toHaveCount(2);
  await expect(positions.nth(0)).toContainText('7115');
  await expect(positions.nth(0).locator('td').last()).toHaveText('2');
  await expect(positions.nth(1)).toContainText('2512');
  await expect(positions.nth(1).locator('td').last()).toHaveText('1');

  // STAR's measures by major group: 2 (2512) and 7 (7115).
  const star = page.locator('#star-table tbody tr');
  await expect(star).toHaveCount(2);
  await expect(star.nth(0).locator('th')).toHaveText(/^2 /);
  await expect(star.nth(0).locator('td').nth(0)).toHaveText('1');
  await expect(star.nth(1).locator('th')).toHaveText(/^7 /);
  await expect(star.nth(1).locator('td').nth(0)).toHaveText('2');
  await expect(star.nth(1).locator('td').nth(1)).toHaveText('4');

  // The charts: a bar per month the period touches (and the same for the year before), two ranked positions.
  await expect(page.getByRole('img', { name: 'Jobordrer og besatte jobordrer pr. måned' })).toBeVisible();
  await expect(page.locator('#chart-orders svg.chart-svg rect.chart-bar-1')).toHaveCount(await page.locator('#months-table tbody tr').count());
  await expect(page.locator('#chart-positions svg.chart-svg rect')).toHaveCount(2);
  await expect(page.getByRole('img', { name: 'Andel med CV sendt pr. måned' })).toBeVisible();
  await checkPage(page, 'dashboard');

  // The CSV download is the API's CSV of the same period.
  const href = await page.getByRole('link', { name: 'Hent nøgletallene som CSV' }).getAttribute('href');
  const download = await page.request.get(href);
  expect(download.headers()['content-type']).toContain('text/csv');
  const query = href.slice(href.indexOf('?'));
  const res = await fetch(stack().baseURL + '/api/v1/jobcenters/370/kpis' + query + '&format=csv', { headers: { Authorization: 'Bearer ' + token(mgr) } });
  const fromAPI = await res.text();
  expect(await download.text()).toBe(fromAPI);
  expect(fromAPI).toContain('\norders,,,,,,3\n');
  expect(fromAPI).toContain('\nfilled,,,,,,1\n');
});

test('each follow-up list holds exactly the orders it should', async ({ page }) => {
  const { cw, mgr, order } = centre('147', 'Frederiksberg', '2000', 'frb');
  const tag = `Folg${Date.now()}`;
  const o = {};
  for (const k of ['A', 'B', 'C', 'D', 'E']) {
    o[k] = await order({ title: `${tag} ${k}` });
  }
  for (const k of ['B', 'C', 'D', 'E']) {
    await api('PUT', `/api/v1/job-orders/${o[k].id}/coordinator`, cw, { caseworker_id: cw.sub });
  }
  for (const k of ['C', 'D', 'E']) {
    await api('POST', `/api/v1/job-orders/${o[k].id}/contacts`, cw, { note: 'Ringede til arbejdsgiveren' });
  }
  await api('PUT', `/api/v1/job-orders/${o.E.id}/status`, cw, { status: 'closed', reason: 'filled' });
  // Now the deadlines pass at once: a contact reminder for A and B, a first-referral reminder
  // and a close-out nudge for every open order.
  await api('PUT', '/api/v1/jobcenters/147/policy', mgr, {
    working_days_only: false, contact_deadline: 'PT1S', first_referral_deadline: 'PT1S', close_out_after_inactivity: 'PT1S',
  });

  await loginWithToken(page, mgr);
  const want = {
    'no-coordinator': ['A'],
    'contact-missed': ['A', 'B'],
    'no-referral': ['A', 'B', 'C', 'D'],
    'close-out': ['A', 'B', 'C', 'D'],
  };
  const titles = async () => (await page.locator('#followup-table tbody tr td:first-child a').allTextContents()).map((t) => t.replace(`${tag} `, ''));
  for (const [list, orders] of Object.entries(want)) {
    await page.goto('/');
    await page.locator(`li[data-list="${list}"] a`).click();
    await expect(page).toHaveURL(new RegExp(`/jobcenters/147/follow-up/${list}$`));
    await eventually(page, async () => expect(await titles()).toEqual(orders));
    await expect(page.locator(`li[data-list="${list}"]`)).toHaveCount(0);
    await checkPage(page, list === 'no-referral' ? 'followup' : undefined);
  }
  await page.goto('/');
  await expect(page.locator('li[data-list="contact-missed"] .badge')).toHaveText('2');
  await checkPage(page);

  // Per caseworker: B, C and D are open with the caseworker as coordinator; B has three
  // unanswered reminders (contact, first CV, close-out), C and D two each.
  await page.locator('li[data-list="caseworkers"] a').click();
  const row = page.locator(`#followup-table tr[data-caseworker="${cw.sub}"]`);
  await expect(row.locator('td[data-col="open"]')).toHaveText('3');
  await expect(row.locator('td[data-col="overdue"]')).toHaveText('7');
  await checkPage(page, 'followup-caseworkers');
  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Jobordrer med ${cw.name} som tovholder`);
  expect(await titles()).toEqual(['B', 'C', 'D']);
  await expect(page.locator('#followup-table tbody tr').first().locator('.badge')).toHaveText(['Første CV', 'Lukning', 'Kontakt']);
  await checkPage(page);
});

test('a manager changes a sharing step: the preview shows the new date and the running orders it moves, and the order then has it', async ({ page }) => {
  const { mgr, order } = centre('461', 'Odense', '5000', 'odense');
  const running = await order({ title: `Kørende ${Date.now()}` });

  await loginWithToken(page, mgr);
  await checkPage(page); // a manager's start page: the dashboard
  await page.goto('/jobcenters/461/policy');
  await expect(page.getByRole('heading', { level: 1, name: 'Retningslinjer for Jobcenter Odense' })).toBeVisible();
  await expect(page.getByLabel('Frist for første kontakt til arbejdsgiveren')).toHaveValue('2 arbejdsdage');
  await checkPage(page, 'policy');

  // Add a step without JavaScript's help: the form post comes back with an empty row.
  await page.getByRole('button', { name: 'Tilføj et trin' }).click();
  const step = page.getByRole('group', { name: 'Trin 1' });
  await step.getByLabel('Efter').fill('5 arbejdsdage');
  await step.getByLabel('Deles med').selectOption('neighbours');
  await page.getByRole('button', { name: 'Se virkningen' }).click();

  const preview = page.locator('#preview');
  const line = preview.locator('#preview-table tr', { hasText: 'Deles med nabojobcentre' });
  await expect(line.locator('td[data-col="current"]')).toHaveText('–');
  const next = (await line.locator('td[data-col="next"] strong').textContent()).trim();
  expect(next).toMatch(/^\d+\. [a-zæøå]+ \d{4} kl\. \d\d\.\d\d$/);
  await expect(preview.getByRole('heading', { name: /Jobcenterets 1 jobordre, der ikke er lukket/ })).toBeVisible();
  await expect(preview.locator('#preview-moves')).toContainText('1 åben jobordre vil blive delt med nabojobcentre');
  await checkPage(page, 'policy-preview');

  await page.getByRole('button', { name: 'Gem retningslinjerne' }).click();
  await expect(page).toHaveURL(/\/jobcenters\/461\/policy\/progress$/);
  await expect(page.locator('#policy-progress')).toContainText('Alle jobcenterets jobordrer (1) har fået de nye retningslinjer.');
  await checkPage(page, 'policy-progress');

  // The running order's page shows the step at the date the preview gave a new order today.
  const day = next.replace(/ kl\. .*$/, '');
  await page.goto(`/job-orders/${running.id}`);
  await eventually(page, async () => expect(page.getByText(`Deles med nabojobcentre`).first()).toBeVisible());
  await expect(page.locator('body')).toContainText(`(${day} kl.`);
  await checkPage(page);
});

test('the staff page: a manager adds a caseworker ahead of their first login, with name, e-mail and phone', async ({ page }) => {
  const { mgr } = centre('461', 'Odense', '5000', 'odense');
  const id = `cw-odense-new-${Date.now()}`;
  await loginWithToken(page, mgr);
  await checkPage(page);
  await page.goto('/jobcenters/461/caseworkers');
  await expect(page.getByRole('heading', { level: 1, name: 'Medarbejdere i Jobcenter Odense' })).toBeVisible();
  await expect(page.locator('#staff-table')).toContainText(mgr.name);
  await expect(page.getByRole('heading', { name: 'Rekrutteringsfællesskaber' })).toHaveCount(0);

  // A bad e-mail is named in the error summary, what was typed kept.
  await page.getByLabel('Login-id').fill(id);
  await page.getByLabel('Navn', { exact: true }).fill('Ny Kollega');
  await page.getByLabel('E-mail', { exact: true }).fill('ikke en adresse');
  await page.getByLabel('Telefon').fill('+45 66 12 34 56');
  await page.getByRole('button', { name: 'Tilføj medarbejderen' }).click();
  await expect(page.locator('.alert-error')).toContainText('Skriv en e-mailadresse');
  await expect(page.getByLabel('Login-id')).toHaveValue(id);
  await checkPage(page);

  await page.getByLabel('E-mail', { exact: true }).fill('ny.kollega@odense.dk');
  await page.getByRole('button', { name: 'Tilføj medarbejderen' }).click();
  await expect(page.getByText('Medarbejderen er tilføjet.')).toBeVisible();
  const row = page.locator(`#staff-table tr[data-staff="${id}"]`);
  await expect(row).toContainText('Ny Kollega');
  await expect(row).toContainText('ny.kollega@odense.dk');
  await expect(row).toContainText('+45 66 12 34 56');
  await checkPage(page, 'staff');
});

test('the staff page: a manager removes a caseworker who has left; one who coordinates an open order is refused in the error summary', async ({ page }) => {
  const { cw, mgr, order } = centre('860', 'Hjørring', '9800', 'hjorring');
  const o = await order();
  await api('PUT', `/api/v1/job-orders/${o.id}/coordinator`, cw, { caseworker_id: cw.sub });
  const leaver = `cw-hjorring-left-${Date.now()}`;
  await api('POST', '/api/v1/jobcenters/860/caseworkers', mgr, { id: leaver, name: 'Lis Fratrådt', email: 'lis@hjoerring.dk', role: 'caseworker' });
  await loginWithToken(page, mgr);
  await checkPage(page);
  await page.goto('/jobcenters/860/caseworkers');
  await checkPage(page);

  await page.locator(`#staff-table tr[data-staff="${leaver}"]`).getByRole('link', { name: 'Fjern Lis Fratrådt' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Fjern Lis Fratrådt' })).toBeVisible();
  await checkPage(page, 'staff-remove');
  await page.getByRole('button', { name: 'Fjern medarbejderen' }).click();
  await expect(page).toHaveURL(/\/jobcenters\/860\/caseworkers$/);
  await expect(page.getByText('Medarbejderen er fjernet.')).toBeVisible();
  await expect(page.locator(`#staff-table tr[data-staff="${leaver}"]`)).toHaveCount(0);
  await checkPage(page);

  // The coordinator of the open order stays until the order has another coordinator.
  await page.locator(`#staff-table tr[data-staff="${cw.sub}"]`).getByRole('link', { name: `Fjern ${cw.name}` }).click();
  await checkPage(page);
  await page.getByRole('button', { name: 'Fjern medarbejderen' }).click();
  await expect(page.locator('.alert-error')).toContainText('Antal åbne eller midlertidigt inaktive jobordrer, medarbejderen er tovholder på: 1.');
  await checkPage(page, 'staff-remove-refused');
  await page.goto('/jobcenters/860/caseworkers');
  await expect(page.locator(`#staff-table tr[data-staff="${cw.sub}"]`)).toContainText(cw.name);
  await checkPage(page);
});

test('a manager sets a retention period: saved and shown after a reload; an unreadable one is named in the error summary with the form kept', async ({ page }) => {
  const { mgr } = centre('561', 'Esbjerg', '6700', 'esbjerg');
  await loginWithToken(page, mgr);
  await checkPage(page);
  await page.goto('/jobcenters/561/policy');
  const retention = page.getByRole('group', { name: 'Hvor længe personoplysninger gemmes' });
  await expect(retention.getByLabel('Henviste CV\'er og kandidatdata')).toHaveValue('180 dage');
  await expect(retention.getByLabel('Sendte e-mails')).toHaveValue('30 dage');
  await expect(retention.getByLabel('Inaktive kandidater')).toHaveValue('365 dage');
  await expect(retention).toContainText('Landsdækkende standard: 30 dage.');
  await checkPage(page);

  await retention.getByLabel('Fritekst på lukkede jobordrer').fill('90 dage');
  await page.getByRole('button', { name: 'Gem retningslinjerne' }).click();
  await expect(page).toHaveURL(/\/jobcenters\/561\/policy\/progress$/);
  await checkPage(page);
  await page.goto('/jobcenters/561/policy');
  await page.reload();
  await expect(retention.getByLabel('Fritekst på lukkede jobordrer')).toHaveValue('90 dage');
  const stored = await api('GET', '/api/v1/jobcenters/561/policy', mgr);
  expect(stored.retention.order_free_text).toBe('P90D');

  await retention.getByLabel('Log over læste CV\'er').fill('et år');
  await page.getByRole('button', { name: 'Gem retningslinjerne' }).click();
  const summary = page.locator('.alert-error');
  await expect(summary).toContainText('Der er problemer');
  const link = summary.getByRole('link', { name: /Skriv en periode som fx/ });
  await expect(link).toHaveAttribute('href', '#field-retention.cv_access_log');
  await expect(retention.getByLabel('Log over læste CV\'er')).toHaveValue('et år');
  await expect(retention.getByLabel('Fritekst på lukkede jobordrer')).toHaveValue('90 dage');
  await checkPage(page, 'policy-retention-error');
  expect((await api('GET', '/api/v1/jobcenters/561/policy', mgr)).retention.cv_access_log).toBe('P365D');
});
