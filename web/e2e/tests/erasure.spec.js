// Erasure of a candidate (GDPR art. 17) on the real dev stack: a caseworker erases a candidate
// who was referred to an employer, from the candidate's page, giving the reason the form insists
// on; afterwards the employer's order page no longer shows the CV (only that a CV is gone) and
// the candidate search no longer finds the candidate.
//
// The job centre is Holstebro (661) and the employer a company of its own (CVR 31234565,
// modulus 11): no other spec uses either, so the order and the candidate change nothing the
// other specs count.
const { test, expect, checkPage, loginWithToken } = require('../lib/fixtures');
const { api, newOrder, newCandidate } = require('../lib/stack');
const { section } = require('../lib/page');

/** A caseworker of Holstebro (a principal of its own: `jobordre token` signs any). */
const holstebro = { role: 'caseworker', sub: 'caseworker-holstebro', jobcenter: '661', name: 'Helle Holstebro', email: 'caseworker-holstebro@jobcenter.example' };
/** The employer's contact person: the company has not registered, its token is enough to log in. */
const employer = { role: 'employer', sub: 'employer-sletning', cvr: '31234565', name: 'Sune Sletbyg', email: 'sune@sletbyg.example' };

test('a caseworker erases a referred candidate: the employer no longer sees the CV and the search no longer finds them', async ({ page, newPage }) => {
  const stamp = Date.now();
  // A word no other CV has, so the search finds exactly this candidate.
  const word = `sletning${stamp.toString(36).replace(/[0-9]/g, '')}`;
  const order = await api('POST', '/api/v1/job-orders', holstebro, newOrder({
    company_cvr: employer.cvr,
    company_name: 'Sletbyg ApS',
    title: `Tømrer til Holstebro ${stamp}`,
    workplace: { address: 'Nørregade 1', postal_code: '7500', municipality_code: '661' },
    responsible_jobcenter: '661',
    positions: 1,
  }), [201]);
  const name = `Søs Sletning ${stamp}`;
  const cand = await api('POST', '/api/v1/candidates', holstebro, newCandidate(name, {
    email: `soes.${stamp}@example.dk`,
    cv: { headline: 'Tømrer med 6 års erfaring', occupations: ['7115'], experience: `Tage og ${word} i 6 år.`, education: 'Tømrersvend', skills: [word] },
  }), [201]);
  await api('POST', `/api/v1/job-orders/${order.id}/referrals`, holstebro, { candidate_id: cand.id }, [201]);

  // Before: the employer reads the CV on its order page.
  const emp = await newPage();
  await loginWithToken(emp, employer, `/job-orders/${order.id}`);
  await expect(emp.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
  const cvs = section(emp, 'Alle formidlede kandidater');
  await expect(cvs.getByRole('heading', { level: 3, name })).toBeVisible();
  await expect(cvs).toContainText(`Tage og ${word} i 6 år.`);
  await checkPage(emp);

  // Before: the caseworker's search finds the candidate.
  await loginWithToken(page, holstebro, `/candidates?q=${word}`);
  await expect(page.getByRole('link', { name })).toBeVisible();
  await checkPage(page);

  // The candidate's page offers the erasure; its page asks for a reason.
  await page.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await checkPage(page);
  await page.getByRole('link', { name: 'Slet kandidaten' }).click();
  await expect(page).toHaveURL(new RegExp(`/candidates/${cand.id}/erase$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Slet kandidaten' })).toBeVisible();
  await expect(page.getByText('Arbejdsgivere kan ikke længere se CV\'et.')).toBeVisible();
  await checkPage(page, 'candidate-erase');

  // A blank reason: the error summary links to the field, and the form is shown again.
  await page.getByLabel('Årsag til sletningen').fill('   ');
  await page.getByRole('button', { name: 'Slet kandidaten' }).click();
  const summary = page.locator('[data-module="error-summary"]');
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('link', { name: 'Skriv årsagen til sletningen (højst 2000 tegn)' })).toHaveAttribute('href', '#field-reason');
  await expect(page.getByLabel('Årsag til sletningen')).toHaveAttribute('aria-invalid', 'true');
  await checkPage(page, 'candidate-erase-error');

  // With a reason the candidate is erased, and the page says so without naming them.
  await page.getByLabel('Årsag til sletningen').fill('Borgerens anmodning om sletning');
  await page.getByRole('button', { name: 'Slet kandidaten' }).click();
  await expect(page).toHaveURL(new RegExp(`/candidates/${cand.id}/erased$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Kandidaten er slettet' })).toBeVisible();
  await expect(page.locator('dl.facts')).toContainText('Borgerens anmodning om sletning');
  await expect(page.locator('main')).not.toContainText(name);
  await checkPage(page, 'candidate-erased');

  // The search no longer finds the candidate.
  await page.goto(`/candidates?q=${word}`);
  await expect(page.getByText('Ingen kandidater passer til søgningen.', { exact: false })).toBeVisible();
  await expect(page.getByRole('link', { name })).toHaveCount(0);
  await checkPage(page);

  // The job centre's order page keeps the referral as a row without name or CV.
  await page.goto(`/job-orders/${order.id}`);
  const refs = section(page, 'Henvisninger');
  await expect(refs).toContainText('Kandidatens oplysninger er slettet (intet navn eller CV)');
  await expect(page.locator('main')).not.toContainText(name);
  await checkPage(page);

  // The employer's order page no longer shows the CV: only that a CV sent is gone.
  await emp.reload();
  await expect(emp.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
  await expect(emp.locator('main')).not.toContainText(name);
  await expect(emp.locator('main')).not.toContainText(word);
  await expect(section(emp, 'Alle formidlede kandidater')).toContainText("CV'et er ikke længere aktivt");
  await checkPage(emp);
});
