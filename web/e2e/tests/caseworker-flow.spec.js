// A caseworker's whole job order, in the browser, on the real dev stack: a policy of seconds makes
// the contact reminder fire, the order is in the inbox, the reminder e-mail's link (read from the
// dev mailbox) opens the order page, and every step from coordinator to closing is done on that
// page and visible there afterwards, with a neighbouring job centre's caseworker proposing a
// candidate from a second browser. The boundaries of the same page are in boundaries.spec.js and
// the same flow by keyboard alone in keyboard.spec.js.
//
// The job centre is Randers (730): no other spec uses it, so its seconds-long policy changes
// nothing the other specs see. Its neighbour Favrskov (710) is the dev stack's "Neighbour
// Caseworker".
const { test, expect, checkPage, loginAs, loginWithToken } = require('../lib/fixtures');
const { api, users, newOrder, setPolicy, newCandidate, copenhagenDay, stack } = require('../lib/stack');
const { waitForMail, mailLink } = require('../lib/mailbox');
const { flash, section, openDetails } = require('../lib/page');

/** A new order of the dev stack's example employer for a workplace in Randers, handled by 730. */
function randersOrder(overrides = {}) {
  return newOrder({
    title: `Tømrer til Randers ${Date.now()}`,
    workplace: { address: 'Østervold 21', postal_code: '8900', municipality_code: '730' },
    responsible_jobcenter: '730',
    positions: 1,
    ...overrides,
  });
}

test.describe('the caseworker flow', () => {
  test.beforeAll(async () => {
    // Seconds instead of working days: the contact reminder falls due 2 s after an order comes in.
    await setPolicy('730', users.randersManager, { working_days_only: false, contact_deadline: 'PT2S' });
  });

  test('from the reminder e-mail to the closed order, every step on the order page', async ({ page, newPage }) => {
    // Arranged through the API: the employer's order, a candidate of Randers and one of Favrskov.
    // Mette's CV shares neither occupation nor a title word with the order: only the search finds her.
    const mine = await api('POST', '/api/v1/candidates', users.randers, newCandidate('Mette Kjærgaard', {
      cv: { headline: 'Håndværker med 12 års erfaring', occupations: ['9313'], experience: 'Tagarbejde og udskiftning af vinduer i 12 år.', education: 'Tagdækker', skills: ['tagarbejde'] },
    }), [201]);
    const theirs = await api('POST', '/api/v1/candidates', users.neighbour, newCandidate('Lars Holm', {
      cv: { headline: 'Bygningssnedker, vinduer og døre', occupations: ['7115'], experience: 'Snedker i 8 år.', education: 'Bygningssnedker', skills: ['vinduer'] },
    }), [201]);
    const order = await api('POST', '/api/v1/job-orders', users.employer, randersOrder(), [201]);
    const orderPath = '/job-orders/' + order.id;

    // The caseworker logs in (the dev login's token field: any principal `jobordre token` makes).
    await loginWithToken(page, users.randers, '/');
    await expect(page.getByRole('heading', { level: 1, name: 'Indbakke' })).toBeVisible();
    await expect(page.getByText('Randi Randers, sagsbehandler')).toBeVisible();

    // Two seconds later the contact reminder is sent; the dev mailbox shows it.
    const mail = await waitForMail(page, { orderId: order.id, template: 'contact_reminder' });
    await expect(mail.getByRole('heading', { name: /Påmindelse: kontakt arbejdsgiveren/ })).toBeVisible();
    await checkPage(page, 'dev-mailbox');
    const href = await mailLink(mail, 'Se jobordren');

    // The order is in the inbox, its row linking to the order page.
    await page.goto('/');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: order.title }) }).first();
    await expect(row).toBeVisible();
    await expect(row.getByRole('link', { name: order.title })).toHaveAttribute('href', orderPath);
    await checkPage(page, 'inbox');

    // The e-mail's button opens the order page: JOBORDRE_PUBLIC_BASE_URL + the page's path.
    expect(href, 'the reminder e-mail links to the order page').toBe(stack().baseURL + orderPath);
    await page.goto(href);
    await expect(page.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
    const coordinator = section(page, 'Tovholder');
    await expect(coordinator).toContainText('Jobordren har ingen tovholder endnu.');
    await expect(page.getByText('Der er ikke registreret kontakt med arbejdsgiveren endnu.')).toBeVisible();
    await checkPage(page, 'order');

    // Assign yourself as coordinator.
    await page.getByRole('button', { name: 'Gør mig til tovholder' }).click();
    await expect(flash(page, 'Tovholderen er valgt.')).toBeVisible();
    await expect(coordinator).toContainText('Tovholder: Randi Randers');
    await expect(coordinator.getByText('Dig', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Gør mig til tovholder' })).toHaveCount(0);

    // Register the contact with the employer.
    let form = await openDetails(page, 'Registrér kontakt');
    await form.getByLabel('Hvad talte I om?').fill('Ringede til Example Employer: to tømrere fra januar.');
    await form.getByRole('button', { name: 'Registrér kontakten' }).click();
    await expect(flash(page, 'Kontakten med arbejdsgiveren er registreret.')).toBeVisible();
    await expect(coordinator).toContainText('Ringede til Example Employer: to tømrere fra januar.');
    await expect(page.getByText('Der er ikke registreret kontakt med arbejdsgiveren endnu.')).toHaveCount(0);

    // Share with the neighbouring job centres, now.
    const sharing = section(page, 'Deling');
    await expect(sharing).toContainText('Jobordren er intern.');
    form = await openDetails(sharing, 'Del nu eller senere');
    await form.getByRole('radio', { name: 'delt med nabojobcentre' }).check();
    await expect(form.getByRole('radio', { name: 'Nu' })).toBeChecked();
    await form.getByRole('button', { name: 'Gem delingen' }).click();
    await expect(flash(page, 'Delingen er gemt.')).toBeVisible();
    await expect(sharing).toContainText('Jobordren er delt med nabojobcentre.');

    // Find a candidate with the search on the order page and refer her.
    const referrals = section(page, 'Henvisninger');
    form = await openDetails(referrals, 'Henvis en kandidat');
    await form.getByLabel('Søg blandt jobcenterets kandidater').fill('tagarbejde');
    await form.getByRole('button', { name: 'Søg' }).click();
    const pick = page.getByRole('radio', { name: /Mette Kjærgaard/ });
    await expect(pick).toBeVisible();
    await expect(page.getByText(/Fundet ved søgning: Håndværker med 12 års erfaring \(søgbart CV\)/)).toBeVisible();
    await checkPage(page, 'order-candidate-search');
    await pick.check();
    await page.getByLabel('Note til henvisningen').fill('Har lagt tage i 12 år.');
    await page.getByRole('button', { name: 'Henvis kandidaten' }).click();
    await expect(flash(page, 'Kandidaten er henvist.')).toBeVisible();
    const mette = referrals.getByRole('row').filter({ hasText: 'Mette Kjærgaard' });
    await expect(mette).toContainText('Sendt');
    await expect(mette).toContainText('Randi Randers');

    // A caseworker of the neighbouring job centre, in a second browser, proposes a candidate.
    const other = await newPage();
    await loginAs(other, 'Neighbour Caseworker', orderPath);
    await expect(other.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
    const theirReferrals = section(other, 'Henvisninger');
    form = await openDetails(theirReferrals, 'Henvis en kandidat');
    await form.getByLabel('Søg blandt jobcenterets kandidater').fill('Lars Holm');
    await form.getByRole('button', { name: 'Søg' }).click();
    await other.getByRole('radio', { name: /Lars Holm/ }).check();
    await other.getByRole('button', { name: 'Henvis kandidaten' }).click();
    await expect(flash(other, 'Kandidaten er henvist.')).toBeVisible();
    await expect(theirReferrals.getByRole('row').filter({ hasText: 'Lars Holm' })).toContainText('Venter på godkendelse');
    await checkPage(other);

    // The coordinator sees the proposal waiting, in the inbox and on the order page, and approves it.
    await page.goto('/');
    const proposals = section(page, /^Forslag fra andre jobcentre/);
    await expect(proposals.getByRole('link', { name: order.title })).toBeVisible();
    await proposals.getByRole('link', { name: order.title }).click();
    await expect(page).toHaveURL(new RegExp(orderPath + '#referrals$')); // the proposal's row links to the referrals
    await expect(page.getByRole('link', { name: '1 forslag fra et andet jobcenter venter på din godkendelse' })).toBeVisible();
    const lars = referrals.getByRole('row').filter({ hasText: 'Lars Holm' });
    await expect(lars).toContainText('Venter på godkendelse');
    await expect(lars).toContainText('Neighbour Caseworker');
    await lars.getByRole('button', { name: 'Godkend og send (forslaget om Lars Holm)' }).click();
    await expect(flash(page, "Forslaget er godkendt, og CV'et er sendt til arbejdsgiveren.")).toBeVisible();
    await expect(lars).toContainText('Sendt');
    await expect(lars.getByRole('button', { name: /Godkend/ })).toHaveCount(0);
    // The proposer sees the decision too.
    await other.reload();
    await expect(section(other, 'Henvisninger').getByRole('row').filter({ hasText: 'Lars Holm' })).toContainText('Sendt');

    // Agree a follow-up with the employer, then complete it.
    const followUps = section(page, 'Opfølgning');
    form = await openDetails(followUps, 'Aftal opfølgning');
    await form.getByLabel('Dag').fill(copenhagenDay(1));
    await form.getByLabel('Klokkeslæt').fill('10:00');
    await form.getByLabel('Hvad er aftalt?').fill('Ring og hør, hvordan samtalerne gik.');
    await form.getByRole('button', { name: 'Aftal opfølgningen' }).click();
    await expect(flash(page, 'Opfølgningen er aftalt.')).toBeVisible();
    const agreed = followUps.getByRole('row').filter({ hasText: 'Ring og hør, hvordan samtalerne gik.' });
    await expect(agreed).toContainText('Venter');
    await expect(agreed).toContainText('kl. 10.00');
    await agreed.getByRole('button', { name: /^Markér som gennemført \(opfølgningen .* kl\. 10\.00\)$/ }).click();
    await expect(flash(page, 'Opfølgningen er markeret som gennemført.')).toBeVisible();
    await expect(agreed).toContainText('Gennemført');
    await expect(agreed.getByRole('button')).toHaveCount(0);

    // Register the hire: Mette got the job.
    const hires = section(page, 'Ansættelser');
    await expect(hires).toContainText('0 af 1 stillinger er besat.');
    form = await openDetails(hires, 'Registrér en ansættelse');
    await form.getByRole('radio', { name: 'Mette Kjærgaard' }).check();
    await form.getByLabel('Note').fill('Starter 4. januar.');
    await form.getByRole('button', { name: 'Registrér ansættelsen' }).click();
    await expect(flash(page, 'Ansættelsen er registreret.')).toBeVisible();
    await expect(hires).toContainText('1 af 1 stillinger er besat.');
    await expect(hires.getByRole('listitem').filter({ hasText: 'Mette Kjærgaard' })).toContainText('Starter 4. januar.');
    await expect(mette).toContainText('Ansat');

    // Close the order: the position is filled.
    const status = section(page, 'Status');
    form = await openDetails(status, 'Skift status');
    await form.getByRole('radio', { name: 'Lukket' }).check();
    await form.getByLabel('Årsag til lukning').selectOption({ label: 'Besat' });
    await form.getByRole('button', { name: 'Skift status' }).click();
    await expect(flash(page, 'Status er ændret.')).toBeVisible();
    await expect(status).toContainText('Jobordren har status Lukket. Årsag: Besat.');
    await expect(status.getByRole('button', { name: 'Genåbn jobordren' })).toBeVisible();
    await expect(page.locator('.order-summary')).toContainText('Lukket');

    // The formidlingslog tells the whole story, newest first.
    const log = section(page, 'Formidlingslog');
    for (const event of [
      'Status ændret fra Åben til Lukket',
      'Mette Kjærgaard blev ansat (1 af 1 stillinger besat)',
      'Opfølgning gennemført',
      'Opfølgning aftalt',
      "Forslaget om Lars Holm blev godkendt, og CV'et sendt til arbejdsgiveren",
      'Lars Holm blev foreslået af et andet jobcenter',
      "CV'et for Mette Kjærgaard blev sendt til arbejdsgiveren",
      'Jobordren blev delt med nabojobcentre (valgt af jobcenteret)',
      'Kontakt med arbejdsgiveren registreret',
      'E-mail sendt til tovholderen: påmindelse om kontakt til arbejdsgiveren',
      'Jobordren blev oprettet',
    ]) {
      await expect(log.getByRole('row').filter({ hasText: event }).first(), event).toBeVisible();
    }
    await checkPage(page, 'order-closed');
    expect(mine.id && theirs.id).toBeTruthy();
  });
});
