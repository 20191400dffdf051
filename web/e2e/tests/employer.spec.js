// The employer's own pages (issue #13 point 5), in the design system's virk.dk theme as Danish
// business self-service looks: "/" is the company's order list, not a redirect.
const { test, expect, checkPage, loginAs } = require('../lib/fixtures');
const { api, users, newOrder, newCandidate, copenhagenDay } = require('../lib/stack');
const { flash, section, openDetails } = require('../lib/page');

// The list holds the company's orders open and closed, each with its status and the number of
// candidates referred to it.
test("the employer's start page is its company's order list in the virk.dk theme", async ({ page }) => {
  const stamp = Date.now();
  const title = `Virk ${stamp} tømrer`;
  const open = await api('POST', '/api/v1/job-orders', users.employer, newOrder({ title, company_name: undefined }), [201]);
  const done = await api('POST', '/api/v1/job-orders', users.employer, newOrder({ title: `Virk ${stamp} lukket`, company_name: undefined }), [201]);
  for (const name of [`Anna Henvist ${stamp}`, `Bo Henvist ${stamp}`]) {
    const c = await api('POST', '/api/v1/candidates', users.caseworker, newCandidate(name, { email: `${name.split(" ")[0].toLowerCase()}.${stamp}@example.dk` }), [201]);
    await api('POST', `/api/v1/job-orders/${open.id}/referrals`, users.caseworker, { candidate_id: c.id }, [201]);
  }
  await api('PUT', `/api/v1/job-orders/${done.id}/status`, users.employer, { status: 'closed' });
  await loginAs(page, 'Example Employer', '/');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('link[rel="stylesheet"][href*="dkfds-virkdk"]')).toHaveCount(1);
  await expect(page.locator('link[rel="stylesheet"][href*="dkfds.min"]')).toHaveCount(0);
  const row = (name) => page.getByRole('row').filter({ has: page.getByRole('link', { name }) });
  await expect(row(title).getByRole('cell').nth(2)).toHaveText('Åben');
  await expect(row(title).getByRole('cell').nth(3)).toHaveText('2');
  await expect(row(`Virk ${stamp} lukket`).getByRole('cell').nth(2)).toHaveText('Lukket');
  await expect(row(`Virk ${stamp} lukket`).getByRole('cell').nth(3)).toHaveText('0');
  await expect(page.getByRole('columnheader', { name: 'Henviste kandidater' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Tovholder' })).toHaveCount(0);
  await checkPage(page, 'employer-orders');
  // The company creates its next order from the list.
  await page.getByRole('link', { name: 'Opret jobordre' }).click();
  await expect(page).toHaveURL(/\/job-orders\/new$/);
  await checkPage(page);
});

// The order's page as its employer sees it: the job centre's contact person once assigned, the
// notes to the employer (never the internal ones), every referred CV as it is now (the read in
// the CV access log, as the API logs it), an inactive CV said to be gone, the employer's own
// note and archive.
test("the employer's order page: the coordinator after assignment, a referred CV whose read is logged, archived with a note", async ({ page }) => {
  const stamp = Date.now();
  const order = await api('POST', '/api/v1/job-orders', users.employer, newOrder({ title: `Tømrer ${stamp} CV`, company_name: undefined }), [201]);
  const karla = await api('POST', '/api/v1/candidates', users.caseworker, newCandidate(`Karla Kandidat ${stamp}`, { email: `karla.${stamp}@example.dk` }), [201]);
  const gone = await api('POST', '/api/v1/candidates', users.caseworker, newCandidate(`Gustav Gået ${stamp}`, { email: `gustav.${stamp}@example.dk` }), [201]);
  for (const c of [karla, gone]) {
    await api('POST', `/api/v1/job-orders/${order.id}/referrals`, users.caseworker, { candidate_id: c.id }, [201]);
  }
  // Gustav has found work: his CV is no longer active.
  await api('PATCH', `/api/v1/candidates/${gone.id}`, users.caseworker, { active: false });
  await api('POST', `/api/v1/job-orders/${order.id}/notes`, users.caseworker, { text: `Vi ringer mandag ${stamp}`, visibility: 'employer' }, [201]);
  await api('POST', `/api/v1/job-orders/${order.id}/notes`, users.caseworker, { text: `INTERN planlægning ${stamp}`, visibility: 'internal' }, [201]);

  await loginAs(page, 'Example Employer', `/job-orders/${order.id}`);
  await expect(page.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
  const coordinator = section(page, 'Tovholder');
  await expect(coordinator).toContainText('har endnu ikke udpeget en tovholder');
  await checkPage(page);

  // The job centre assigns its coordinator; the employer sees whom to talk to.
  await api('PUT', `/api/v1/job-orders/${order.id}/coordinator`, users.caseworker, { caseworker_id: users.caseworker.sub });
  await page.reload();
  await expect(coordinator.getByText('Example Caseworker')).toBeVisible();
  await expect(coordinator.getByRole('link', { name: 'caseworker-1@jobcenter.example' })).toBeVisible();

  // Notes to the employer, none of the job centre's planning.
  await expect(section(page, 'Noter fra jobcentret')).toContainText(`Vi ringer mandag ${stamp}`);
  await expect(page.getByText(`INTERN planlægning ${stamp}`)).toHaveCount(0);
  await expect(page.locator('#sharing, #deadlines, #follow-ups, #notes, #contact')).toHaveCount(0);
  await expect(page.getByText('Næste påmindelse')).toHaveCount(0);

  // Karla's CV as it is now; Gustav's is gone, and the page says so without naming him.
  const cvs = section(page, 'Alle formidlede kandidater');
  const cv = cvs.locator('article').filter({ has: page.getByRole('heading', { level: 3, name: `Karla Kandidat ${stamp}` }) });
  await expect(cv).toContainText('Tømrer i 12 år, senest på renovering af tage.');
  await expect(cv.getByRole('link', { name: karla.email })).toBeVisible();
  await expect(cvs).toContainText("CV'et er ikke længere aktivt");
  await expect(page.getByText(`Gustav Gået ${stamp}`)).toHaveCount(0);
  await checkPage(page, 'employer-order-cvs');

  // The reads are in the CV access log, as staff see it through the API: Karla's, not Gustav's.
  const log = await api('GET', `/api/v1/candidates/${karla.id}/access-log`, users.caseworker);
  expect(log.items.length).toBeGreaterThanOrEqual(1);
  expect(log.items[0]).toMatchObject({ job_order_id: order.id, reader_id: users.employer.sub, reader_cvr: users.employer.cvr });
  expect((await api('GET', `/api/v1/candidates/${gone.id}/access-log`, users.caseworker)).items).toEqual([]);

  // The employer's own note on the CV, then the CV into the archive: both after a reload.
  const details = await openDetails(cv, "Skriv en note til CV'et");
  await details.getByLabel('Jeres note').fill('Ring til Karla fredag');
  await details.getByRole('button', { name: 'Gem noten' }).click();
  await expect(flash(page, 'Jeres note er gemt.')).toBeVisible();
  await checkPage(page);
  await cv.getByRole('button', { name: /^Gem i arkivet/ }).click();
  await expect(flash(page, 'Jeres arkiv er opdateret.')).toBeVisible();
  await page.reload();
  const archive = section(page, 'Arkiv');
  const archived = archive.locator('article').filter({ has: page.getByRole('heading', { level: 3, name: `Karla Kandidat ${stamp}` }) });
  await expect(archived).toContainText('Ring til Karla fredag');
  await expect(archived.getByRole('button', { name: /^Flyt ud af arkivet/ })).toBeVisible();
  await expect(cvs.locator('article')).toHaveCount(0);
  await checkPage(page, 'employer-order-archive');

  // The note is the employer's own: the job centre's API view of the referrals does not carry it.
  const staffView = await api('GET', `/api/v1/job-orders/${order.id}/referrals`, users.caseworker);
  expect(JSON.stringify(staffView)).not.toContain('Ring til Karla fredag');
});

// Close and pause from the order's page, with no reason asked: the job centre's close reasons
// are its own (STAR's guide), the order is closed as the employer closed it.
test('the employer closes one order and pauses another from their pages, with no reason asked', async ({ page }) => {
  const stamp = Date.now();
  const closing = await api('POST', '/api/v1/job-orders', users.employer, newOrder({ title: `Murer ${stamp} luk`, company_name: undefined }), [201]);
  const pausing = await api('POST', '/api/v1/job-orders', users.employer, newOrder({ title: `Murer ${stamp} pause`, company_name: undefined }), [201]);

  await loginAs(page, 'Example Employer', `/job-orders/${closing.id}`);
  const status = section(page, 'Status');
  await expect(status).toContainText('Jobordren har status Åben.');
  await expect(page.getByLabel('Årsag til lukning')).toHaveCount(0);
  await expect(page.locator('[name="close_reason"]')).toHaveCount(0);
  await checkPage(page);
  await status.getByRole('button', { name: 'Luk jobordren' }).click();
  await expect(flash(page, 'Status er ændret.')).toBeVisible();
  await expect(status).toContainText('Jobordren har status Lukket.');
  await expect(status.getByRole('button')).toHaveCount(0);
  await expect(status).toContainText('Kontakt');
  await checkPage(page, 'employer-order-closed');
  const closed = await api('GET', `/api/v1/job-orders/${closing.id}`, users.employer);
  expect(closed.status).toBe('closed');
  expect(closed.close_reason, 'the employer is never shown a close reason').toBeUndefined();

  // A pause whose last day has passed is refused at its field, with the day kept.
  await page.goto(`/job-orders/${pausing.id}`);
  await checkPage(page);
  let pause = await openDetails(section(page, 'Status'), 'Sæt jobordren midlertidigt inaktiv');
  await pause.getByLabel(/Inaktiv til og med/).fill(copenhagenDay(-1));
  await pause.getByRole('button', { name: 'Sæt midlertidigt inaktiv' }).click();
  const summary = page.locator('[data-module="error-summary"]');
  await expect(summary.getByRole('link', { name: /Vælg en dag efter i dag/ })).toBeVisible();
  await expect(page.getByLabel(/Inaktiv til og med/)).toHaveValue(copenhagenDay(-1));
  await checkPage(page, 'employer-order-pause-error');

  pause = await openDetails(section(page, 'Status'), 'Sæt jobordren midlertidigt inaktiv');
  await pause.getByLabel(/Inaktiv til og med/).fill(copenhagenDay(14));
  await pause.getByRole('button', { name: 'Sæt midlertidigt inaktiv' }).click();
  await expect(flash(page, 'Status er ændret.')).toBeVisible();
  await expect(section(page, 'Status')).toContainText('Jobordren har status Midlertidigt inaktiv.');
  await expect(section(page, 'Status').getByRole('button', { name: 'Gør jobordren aktiv igen' })).toBeVisible();
  await expect(section(page, 'Status').getByRole('button', { name: 'Luk jobordren' })).toBeVisible();
  await checkPage(page, 'employer-order-paused');
  expect((await api('GET', `/api/v1/job-orders/${pausing.id}`, users.employer)).status).toBe('temporarily_inactive');
});

// Every page of the job centres is, to an employer, a page that does not exist; so is another
// company's order.
test("the employer gets the 404 page for every job-centre page and another company's order", async ({ page }) => {
  const candidate = await api('POST', '/api/v1/candidates', users.caseworker, newCandidate('Skjult Kandidat'), [201]);
  const foreign = await api('POST', '/api/v1/job-orders', users.caseworker, newOrder({ company_cvr: '24256790', company_name: 'Anden Virksomhed A/S' }), [201]);
  await loginAs(page, 'Example Employer', '/');
  // The employer's start page is its order list, never the inbox.
  await expect(page.getByRole('heading', { level: 1, name: 'Indbakke' })).toHaveCount(0);
  await expect(page.locator('form[action="/inbox/seen"]')).toHaveCount(0);
  await checkPage(page);
  const pages = [
    '/candidates', '/candidates/new', `/candidates/${candidate.id}`,
    '/jobcenters/751/kpis', '/jobcenters/751/kpis.csv',
    '/jobcenters/751/follow-up/no-coordinator', '/jobcenters/751/follow-up/no-referral', '/jobcenters/751/follow-up/close-out',
    '/jobcenters/751/follow-up/contact-missed', '/jobcenters/751/follow-up/caseworkers',
    '/jobcenters/751/caseworkers', '/jobcenters/751/policy', '/jobcenters/751/policy/progress',
    `/job-orders/${foreign.id}`,
  ];
  for (const path of pages) {
    const res = await page.goto(path);
    expect(res.status(), path).toBe(404);
    await expect(page.getByRole('heading', { level: 1, name: 'Siden findes ikke' }), path).toBeVisible();
    await checkPage(page);
  }
  await expect(page.getByText('Anden Virksomhed A/S')).toHaveCount(0);
});
