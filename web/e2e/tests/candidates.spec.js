// The candidate pages on the real dev stack: the search (/candidates) with results, with none and
// with a query the service refuses; registering a candidate (a field error with the form kept,
// then success), editing it, recording a consent and withdrawing it; and a candidate's page with
// its referrals and the CV access log after the employer read the CV.
//
// The job centre is Viborg (791): no other spec uses it, so its candidates and its order change
// nothing the other specs see. The order is the dev stack's example employer's (CVR 10103940).
const { test, expect, checkPage, loginWithToken } = require('../lib/fixtures');
const { api, users, newOrder, newCandidate, copenhagenDay } = require('../lib/stack');
const { flash, section } = require('../lib/page');

/** A caseworker of Viborg (a principal of its own: `jobordre token` signs any). */
const viborg = { role: 'caseworker', sub: 'caseworker-viborg', jobcenter: '791', name: 'Vibeke Viborg', email: 'caseworker-viborg@jobcenter.example' };

/** An order of the example employer for a workplace in Viborg, handled by 791. */
async function viborgOrder(title) {
  return api('POST', '/api/v1/job-orders', users.employer, newOrder({
    title,
    workplace: { address: 'Sct. Mathias Gade 5', postal_code: '8800', municipality_code: '791' },
    responsible_jobcenter: '791',
    positions: 1,
  }), [201]);
}

test('the candidate search shows results, says when there are none and keeps a refused query with the error summary', async ({ page }) => {
  // A word no other candidate's CV has, so the search's answer is exactly this candidate.
  const word = `brolægning${Date.now().toString(36).replace(/[0-9]/g, '')}`;
  const cand = await api('POST', '/api/v1/candidates', viborg, newCandidate('Birthe Brolægger', {
    cv: { headline: 'Brolægger med 9 års erfaring', occupations: ['7112'], experience: `Fliser og ${word} i 9 år.`, education: 'Brolægger', skills: [word] },
  }), [201]);

  await loginWithToken(page, viborg, '/candidates');
  await expect(page.getByRole('heading', { level: 1, name: 'Kandidater' })).toBeVisible();
  await checkPage(page, 'candidates');

  // Results: the candidate's card links to her page.
  const search = page.getByRole('search', { name: 'Søg kandidater' });
  await search.getByLabel("Søg i CV'et").fill(word);
  await search.getByRole('button', { name: 'Søg', exact: true }).click();
  const results = section(page, 'Resultater');
  await expect(results).toContainText('Viser 1 kandidat.');
  await expect(results.getByRole('link', { name: /Birthe Brolægger/ }).first()).toHaveAttribute('href', '/candidates/' + cand.id);
  await checkPage(page, 'candidates-results');

  // No results: the page says so.
  await search.getByLabel("Søg i CV'et").fill('xylofonstemmer');
  await search.getByRole('button', { name: 'Søg', exact: true }).click();
  await expect(results).toContainText('Ingen kandidater passer til søgningen.');
  await expect(results.getByRole('link', { name: /Birthe Brolægger/ })).toHaveCount(0);
  await checkPage(page);

  // A query of small words only is refused: the error summary, the message at the field, the
  // text kept, no results.
  await search.getByLabel("Søg i CV'et").fill('og i til');
  await search.getByRole('button', { name: 'Søg', exact: true }).click();
  const summary = page.locator('[data-module="error-summary"]');
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('link', { name: /Søg på et ord fra CV'et/ })).toBeVisible();
  await expect(page.locator('#field-q-error')).toContainText("Søg på et ord fra CV'et");
  await expect(page.getByLabel("Søg i CV'et")).toHaveValue('og i til');
  await expect(results).toContainText('Ret søgningen ovenfor, så vises resultaterne.');
  await checkPage(page, 'candidates-error');
  await summary.getByRole('link', { name: /Søg på et ord fra CV'et/ }).click();
  await expect(page.getByLabel("Søg i CV'et")).toBeFocused();
});

test('a caseworker registers a candidate (an error first, the form kept), edits it, and records and withdraws a consent', async ({ page }) => {
  const order = await viborgOrder(`Brolægger til Viborg ${Date.now()}`);
  await loginWithToken(page, viborg, '/candidates');
  await checkPage(page);
  await page.getByRole('link', { name: 'Opret kandidat' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Opret kandidat' })).toBeVisible();
  await checkPage(page, 'candidate-new');

  // Without a name and with a bad e-mail address: the error summary names both, at their fields,
  // and what was typed is kept.
  const email = `karsten.${Date.now()}@example.dk`;
  await page.locator('[name="email"]').fill('karsten.example.dk');
  await page.getByRole('radio', { name: 'Nej, CV\'et er ikke søgbart' }).check();
  await page.locator('[name="cv.headline"]').fill('Anlægsgartner med 5 års erfaring');
  await page.locator('[name="cv.occupations"]').first().fill('6113');
  await page.locator('[name="cv.experience"]').fill('Anlæg af haver og belægninger i 5 år.');
  await page.getByRole('button', { name: 'Opret kandidat' }).click();
  const summary = page.locator('[data-module="error-summary"]');
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('link', { name: /Skriv kandidatens navn/ })).toBeVisible();
  await expect(summary.getByRole('link', { name: /Skriv en e-mailadresse som navn@eksempel.dk/ })).toBeVisible();
  await expect(page.locator('#field-name-error')).toContainText('Skriv kandidatens navn');
  await expect(page.locator('[name="email"]')).toHaveValue('karsten.example.dk');
  await expect(page.locator('[name="cv.headline"]')).toHaveValue('Anlægsgartner med 5 års erfaring');
  await expect(page.locator('[name="cv.experience"]')).toHaveValue('Anlæg af haver og belægninger i 5 år.');
  await expect(page.getByRole('radio', { name: 'Nej, CV\'et er ikke søgbart' })).toBeChecked();
  await checkPage(page, 'candidate-new-error');

  // Corrected: the candidate's page.
  await summary.getByRole('link', { name: /Skriv kandidatens navn/ }).click();
  await expect(page.locator('[name="name"]')).toBeFocused();
  await page.locator('[name="name"]').fill('Karsten Kantsten');
  await page.locator('[name="email"]').fill(email);
  await page.getByRole('button', { name: 'Opret kandidat' }).click();
  await expect(flash(page, 'Kandidaten er oprettet.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Karsten Kantsten' })).toBeVisible();
  await expect(page.getByText('Anlægsgartner med 5 års erfaring')).toBeVisible();
  await expect(page.getByText('Ikke søgbart – kræver samtykke')).toBeVisible();
  await expect(section(page, 'Kontakt og CV')).toContainText(email);
  await expect(section(page, 'Samtykker')).toContainText('Kandidaten har ikke givet noget samtykke.');
  await checkPage(page);
  const candidatePath = new URL(page.url()).pathname;
  expect(candidatePath).toMatch(/^\/candidates\/[0-9a-f-]{36}$/);

  // Edit: a new headline, seen on the page and in the API.
  await page.getByRole('link', { name: 'Rediger kandidat' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Rediger Karsten Kantsten' })).toBeVisible();
  await expect(page.locator('[name="name"]')).toHaveValue('Karsten Kantsten');
  await checkPage(page, 'candidate-edit');
  await page.locator('[name="cv.headline"]').fill('Anlægsgartner og brolægger med 6 års erfaring');
  await page.getByRole('button', { name: 'Gem ændringer' }).click();
  await expect(flash(page, 'Ændringerne er gemt.')).toBeVisible();
  await expect(page).toHaveURL(new RegExp(candidatePath + '$'));
  await expect(page.locator('.font-lead')).toHaveText('Anlægsgartner og brolægger med 6 års erfaring');
  await checkPage(page);
  const stored = await api('GET', '/api/v1' + candidatePath, viborg);
  expect(stored.cv.headline).toBe('Anlægsgartner og brolægger med 6 års erfaring');

  // A consent for the employer's order: the CVR finds the employer's orders (the no-script button).
  await page.getByRole('link', { name: 'Registrér samtykke' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Registrér samtykke' })).toBeVisible();
  await checkPage(page, 'consent-new');
  await page.getByLabel('Arbejdsgiverens CVR-nummer').fill('10103940');
  await page.getByRole('button', { name: 'Find arbejdsgiverens jobordrer' }).click();
  await expect(page.getByLabel('Jobordre', { exact: true })).toBeVisible();
  await checkPage(page);
  await page.getByRole('radio', { name: /En af arbejdsgiverens jobordrer/ }).check();
  await page.getByLabel('Jobordre', { exact: true }).selectOption({ value: order.id });
  await page.getByLabel('Formål').fill('Formidling af CV til stillingen som brolægger');
  await page.getByRole('checkbox', { name: 'CV', exact: true }).check();
  const [y, m, d] = copenhagenDay(0).split('-');
  await page.locator('[name="given_at.day"]').fill(d);
  await page.locator('[name="given_at.month"]').fill(m);
  await page.locator('[name="given_at.year"]').fill(y);
  await page.getByRole('radio', { name: 'Skriftligt' }).check();
  await page.getByRole('button', { name: 'Registrér samtykket' }).click();
  await expect(flash(page, 'Samtykket er registreret.')).toBeVisible();
  const consents = section(page, 'Samtykker');
  const row = consents.getByRole('row').filter({ hasText: 'CVR 10103940' });
  await expect(row).toContainText(order.title);
  await expect(row).toContainText('Formidling af CV til stillingen som brolægger');
  await expect(row).toContainText('Gælder');
  await checkPage(page, 'candidate-consent');

  // Withdraw it: a page that says what happens, then the consent is marked withdrawn.
  await row.getByRole('link', { name: /Træk tilbage/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Træk samtykket tilbage' })).toBeVisible();
  await expect(page.getByText('Det sker, når du trækker samtykket tilbage')).toBeVisible();
  await checkPage(page, 'consent-withdraw');
  await page.getByRole('button', { name: 'Træk samtykket tilbage' }).click();
  await expect(flash(page, 'Samtykket er trukket tilbage')).toBeVisible();
  await expect(row).toContainText('Trukket tilbage');
  await expect(row.getByRole('link', { name: /Træk tilbage/ })).toHaveCount(0);
  await checkPage(page);
  const apiConsents = await api('GET', '/api/v1' + candidatePath + '/consents', viborg);
  const items = apiConsents.items || apiConsents;
  expect(items.map((c) => [c.job_order_id, !!c.withdrawn_at])).toEqual([[order.id, true]]);
});

test("a candidate's page shows the candidate's referrals and the employer's reads of the CV", async ({ page }) => {
  // Arranged through the API: Viborg's order, its candidate referred (sent), and the employer
  // reading the referral list, which hands out the CV and logs the read.
  const order = await viborgOrder(`Anlægsgartner til Viborg ${Date.now()}`);
  const cand = await api('POST', '/api/v1/candidates', viborg, newCandidate('Signe Stenlægger'), [201]);
  await api('POST', `/api/v1/job-orders/${order.id}/referrals`, viborg, { candidate_id: cand.id, note: 'God til tage.' }, [201]);
  const before = new Date();
  const list = await api('GET', `/api/v1/job-orders/${order.id}/referrals`, users.employer);
  expect(list.items.map((r) => r.candidate.name)).toEqual(['Signe Stenlægger']);

  await loginWithToken(page, viborg, '/candidates/' + cand.id);
  await expect(page.getByRole('heading', { level: 1, name: 'Signe Stenlægger' })).toBeVisible();

  const referrals = section(page, 'Henvisninger');
  const ref = referrals.getByRole('row').filter({ has: page.getByRole('link', { name: order.title }) });
  await expect(ref).toContainText('Sendt til arbejdsgiveren');
  await expect(ref).toContainText('CVR 10103940');
  await expect(ref.getByRole('link', { name: order.title })).toHaveAttribute('href', '/job-orders/' + order.id);

  const access = section(page, "Arbejdsgivernes opslag i CV'et");
  const read = access.getByRole('row').filter({ hasText: 'CVR 10103940' });
  await expect(read).toHaveCount(1);
  await expect(read).toContainText('Bruger employer-1');
  await expect(read.getByRole('link', { name: order.title })).toBeVisible();
  // The read's time, in Copenhagen time, is the one the API logged.
  const at = await read.locator('time').getAttribute('datetime');
  expect(new Date(at).getTime()).toBeGreaterThanOrEqual(before.getTime() - 2000);
  await checkPage(page, 'candidate');

  // The referral's link opens the order.
  await ref.getByRole('link', { name: order.title }).click();
  await expect(page.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
  await checkPage(page);
});
