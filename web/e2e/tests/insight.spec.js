// The candidate's insight (GDPR art. 15) on the real dev stack: a caseworker refers a candidate
// from the order page, the employer opens the order and so reads the CV, and the caseworker opens
// the insight page from the candidate's page and finds the referral, the employer and the read;
// printed (print media), the page leaves out the header with the menu and the buttons.
//
// The job centre is Horsens (615) and the employer a company of its own (CVR 41234563, modulus
// 11): no other spec uses either, so the order, the candidate and the read change nothing the
// other specs count.
const { test, expect, checkPage, loginWithToken } = require('../lib/fixtures');
const { api, users, newOrder, newCandidate } = require('../lib/stack');
const { flash, section, openDetails } = require('../lib/page');

/** A caseworker of Horsens (a principal of its own: `jobordre token` signs any). */
const horsens = { role: 'caseworker', sub: 'caseworker-horsens', jobcenter: '615', name: 'Hans Horsens', email: 'caseworker-horsens@jobcenter.example' };
/** The employer's contact person: the company has not registered, its token is enough to log in. */
const employer = { role: 'employer', sub: 'employer-insigt', cvr: '41234563', name: 'Ib Indkøber', email: 'ib@insigt-byg.example' };

test('the insight page lists the referral, the employer and its read of the CV, and prints without menu and buttons', async ({ page, newPage }) => {
  const stamp = Date.now();
  // A word no other CV has, so the order page's candidate search finds exactly this candidate.
  const word = `indsigt${stamp.toString(36).replace(/[0-9]/g, '')}`;
  const order = await api('POST', '/api/v1/job-orders', horsens, newOrder({
    company_cvr: employer.cvr,
    company_name: 'Insigt Byg ApS',
    title: `Tømrer til Horsens ${stamp}`,
    workplace: { address: 'Søndergade 1', postal_code: '8700', municipality_code: '615' },
    responsible_jobcenter: '615',
    positions: 1,
  }), [201]);
  const name = `Ida Indsigt ${stamp}`;
  const cand = await api('POST', '/api/v1/candidates', horsens, newCandidate(name, {
    email: `ida.${stamp}@example.dk`,
    cv: { headline: 'Tømrer med 8 års erfaring', occupations: ['7115'], experience: `Tage og ${word} i 8 år.`, education: 'Tømrersvend', skills: [word] },
  }), [201]);

  // The caseworker refers her from the order page.
  await loginWithToken(page, horsens, `/job-orders/${order.id}`);
  await expect(page.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
  await checkPage(page);
  const referrals = section(page, 'Henvisninger');
  const form = await openDetails(referrals, 'Henvis en kandidat');
  await form.getByLabel('Søg blandt jobcenterets kandidater').fill(word);
  await form.getByRole('button', { name: 'Søg' }).click();
  await page.getByRole('radio', { name: new RegExp(name) }).check();
  await page.getByLabel('Note til henvisningen').fill('Stærk på tage.');
  await page.getByRole('button', { name: 'Henvis kandidaten' }).click();
  await expect(flash(page, 'Kandidaten er henvist.')).toBeVisible();
  await expect(referrals.getByRole('row').filter({ hasText: name })).toContainText('Sendt');
  await checkPage(page);

  // The employer opens the order in a browser of its own: the CV is shown, and the read logged.
  const emp = await newPage();
  const before = new Date();
  await loginWithToken(emp, employer, `/job-orders/${order.id}`);
  await expect(emp.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
  const cv = section(emp, 'Alle formidlede kandidater').locator('article').filter({ has: emp.getByRole('heading', { level: 3, name }) });
  await expect(cv).toContainText(`Tage og ${word} i 8 år.`);
  await checkPage(emp);

  // The caseworker opens the insight from the candidate's page.
  await page.goto(`/candidates/${cand.id}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await checkPage(page);
  await page.getByRole('link', { name: 'Indsigt (art. 15)' }).click();
  await expect(page).toHaveURL(new RegExp(`/candidates/${cand.id}/insight$`));
  await expect(page.getByRole('heading', { level: 1, name: `Indsigt: ${name}` })).toBeVisible();
  await expect(page.locator('dl.facts').first()).toContainText('(615)');

  // The candidate and the CV, every field.
  const who = section(page, 'Kandidaten');
  await expect(who).toContainText(`ida.${stamp}@example.dk`);
  await expect(who).toContainText('Tømrer med 8 års erfaring');
  await expect(who).toContainText(`Tage og ${word} i 8 år.`);
  await expect(who).toContainText('Tømrersvend');

  // The referral: the order and the employer it went to, sent, with the job centre's note.
  const refs = section(page, 'Henvisninger');
  await expect(refs.locator('caption')).toHaveText('Kandidatens CV henvist til jobordrer, nyeste først');
  const ref = refs.getByRole('row').filter({ has: page.getByRole('link', { name: order.title }) });
  await expect(ref).toHaveCount(1);
  await expect(ref).toContainText('Insigt Byg ApS');
  await expect(ref).toContainText(`CVR ${employer.cvr}`);
  await expect(ref).toContainText('Sendt til arbejdsgiveren');
  await expect(ref).toContainText('Stærk på tage.');
  await expect(ref).toContainText(/Henvist \d{1,2}\. [a-zæøå]+ \d{4} kl\. \d{2}\.\d{2} af caseworker-horsens/);

  // The employer's read of the CV: when, the company, who, the order, how.
  const reads = section(page, "Arbejdsgiveres læsninger af CV'et");
  await expect(reads.locator('caption')).toHaveText("Hver gang en arbejdsgiver har læst CV'et, nyeste først");
  const read = reads.getByRole('row').filter({ hasText: `CVR ${employer.cvr}` });
  await expect(read).toHaveCount(1);
  await expect(read).toContainText('Insigt Byg ApS');
  await expect(read).toContainText(`Bruger ${employer.sub}`);
  await expect(read).toContainText('Logget ind i jobordre');
  await expect(read.getByRole('link', { name: order.title })).toHaveAttribute('href', `/job-orders/${order.id}`);
  const at = await read.locator('time').getAttribute('datetime');
  expect(new Date(at).getTime()).toBeGreaterThanOrEqual(before.getTime() - 2000);
  await expect(read.locator('time')).toHaveText(/^\d{1,2}\. [a-zæøå]+ \d{4} kl\. \d{2}\.\d{2}$/);

  // The API's insight says the same (one service behind both).
  const insight = await api('GET', `/api/v1/candidates/${cand.id}/insight`, horsens);
  expect(insight.referrals.map((r) => [r.job_order_id, r.company_cvr, r.status])).toEqual([[order.id, employer.cvr, 'sent']]);
  expect(insight.cv_reads.map((r) => [r.job_order_id, r.reader_id, r.reader_cvr, r.channel])).toEqual([[order.id, employer.sub, employer.cvr, 'jobag']]);

  // With the script, the print button shows.
  const print = page.getByRole('button', { name: 'Udskriv' });
  await expect(print).toBeVisible();
  await checkPage(page, 'insight');

  // Printed: the header with the menu, the footer and the buttons are left out; the content stays.
  await page.emulateMedia({ media: 'print' });
  try {
    await expect(page.getByRole('navigation', { name: 'Hovedmenu' }).first()).toBeHidden();
    await expect(page.locator('header.header')).toBeHidden();
    await expect(page.locator('footer')).toBeHidden();
    await expect(print).toBeHidden();
    await expect(page.getByRole('link', { name: 'Tilbage til kandidaten' })).toBeHidden();
    await expect(page.getByRole('heading', { level: 1, name: `Indsigt: ${name}` })).toBeVisible();
    await expect(read).toBeVisible();
    await expect(ref).toBeVisible();
  } finally {
    await page.emulateMedia({ media: 'screen' });
  }
  await expect(page.locator('header.header')).toBeVisible();

  // Another job centre does not get it: the 404 page.
  const other = await newPage();
  await loginWithToken(other, users.far, `/candidates/${cand.id}/insight`);
  await expect(other.getByRole('heading', { level: 1 })).not.toHaveText(`Indsigt: ${name}`);
  await expect(other.getByText(name)).toHaveCount(0);
  await checkPage(other);
});
