// The order page's commands the main flow (caseworker-flow.spec.js) does not use, each seen on
// the page after it: another caseworker of the job centre as coordinator; the automatic sharing
// steps, the deadlines and the next reminder as dates; sharing later; correcting the details (a
// refused value first: the error summary, the message at the field, the form kept, nothing
// changed); pausing the order, closing and reopening it; rejecting a neighbouring job centre's
// proposal with a reason (the proposer sees it); withdrawing a referral; and notes, internal and
// to the employer (the employer, logged in, sees only the latter).
//
// The job centre is Aalborg (851), whose policy gets two sharing steps here, and its neighbour
// Rebild (840): no other spec uses either, so nothing they do changes what the other specs see.
const { test, expect, checkPage, loginWithToken } = require('../lib/fixtures');
const { api, users, newOrder, setPolicy, newCandidate, copenhagenDay } = require('../lib/stack');
const { flash, section, openDetails } = require('../lib/page');

const aalborg = { role: 'caseworker', sub: 'caseworker-aalborg', jobcenter: '851', name: 'Aase Aalborg', email: 'caseworker-aalborg@jobcenter.example' };
const aalborg2 = { role: 'caseworker', sub: 'caseworker-aalborg-2', jobcenter: '851', name: 'Bent Bundgaard', email: 'caseworker-aalborg-2@jobcenter.example' };
const aalborgManager = { role: 'manager', sub: 'manager-aalborg', jobcenter: '851', name: 'Mona Aalborg', email: 'manager-aalborg@jobcenter.example' };
const rebild = { role: 'caseworker', sub: 'caseworker-rebild', jobcenter: '840', name: 'Rikke Rebild', email: 'caseworker-rebild@jobcenter.example' };

const tz = 'Europe/Copenhagen';

/** Parts of a moment in Copenhagen time, in Danish. */
function parts(at) {
  const p = {};
  for (const { type, value } of new Intl.DateTimeFormat('da-DK', {
    timeZone: tz, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(at))) {
    p[type] = value;
  }
  return p;
}

/** "torsdag 10. december": the console's {{.Weekday t}}. */
function weekdayDate(at) {
  const p = parts(at);
  return `${p.weekday} ${p.day}. ${p.month}`;
}

/** "10. december 2026 kl. 09.05": the console's {{.DateTime t}}. */
function dateTime(at) {
  const p = parts(at);
  return `${p.day}. ${p.month} ${p.year} kl. ${p.hour}.${p.minute}`;
}

/** "10. december 2026": the console's {{.Date t}}. */
function date(at) {
  const p = parts(at);
  return `${p.day}. ${p.month} ${p.year}`;
}

/** A new order of the example employer for a workplace in Aalborg, handled by 851. */
async function aalborgOrder(title) {
  return api('POST', '/api/v1/job-orders', users.employer, newOrder({
    title,
    workplace: { address: 'Boulevarden 13', postal_code: '9000', municipality_code: '851' },
    responsible_jobcenter: '851',
    positions: 2,
  }), [201]);
}

/** The order's live state as the responsible job centre's caseworker reads it from the API. */
async function live(id) {
  const o = await api('GET', `/api/v1/job-orders/${id}`, aalborg);
  return o.live;
}

test.describe('the order page commands', () => {
  test.beforeAll(async () => {
    // Two automatic sharing steps, counted in calendar days so their dates are easy to check.
    await setPolicy('851', aalborgManager, {
      working_days_only: false,
      sharing_steps: [{ after: 'P3D', level: 'neighbours' }, { after: 'P14D', level: 'national' }],
    });
    // The second caseworker has been here before: the directory knows them.
    await api('GET', '/api/v1/job-orders?limit=1', aalborg2);
  });

  test('coordinator, the planned sharing and deadlines as dates, sharing later, corrected details, pause, close and reopen', async ({ page }) => {
    const order = await aalborgOrder(`Tømrer til Aalborg ${Date.now()}`);
    const orderPath = '/job-orders/' + order.id;
    const state = await live(order.id);

    await loginWithToken(page, aalborg, orderPath);
    await expect(page.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
    await checkPage(page, 'order-planning');

    // The automatic steps still to come, as Danish dates: the next one is the workflow's own
    // deadline, the one after it follows from the policy (P14D after the order came in, 11 days
    // of 24 hours after the first step without working days).
    const neighboursAt = state.deadlines.find((d) => d.name === 'sharing:neighbours').due;
    const nationalAt = new Date(new Date(neighboursAt).getTime() + 11 * 86_400_000);
    const sharing = section(page, 'Deling');
    await expect(sharing).toContainText('Jobordren er intern.');
    const upcoming = sharing.getByRole('list', { name: 'Kommende deling' });
    await expect(upcoming.getByRole('listitem')).toHaveText([
      `Deles med nabojobcentre ${weekdayDate(neighboursAt)} (${dateTime(neighboursAt)})`,
      `Deles med alle landets jobcentre ${weekdayDate(nationalAt)} (${dateTime(nationalAt)})`,
    ]);
    expect(weekdayDate(neighboursAt)).toMatch(/^(mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag) \d{1,2}\. (januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december)$/);
    await expect(page.locator('.order-summary')).toContainText(`Deles med nabojobcentre ${weekdayDate(neighboursAt)}`);

    // The deadlines and the next reminder, as the workflow has them, in Copenhagen time.
    const deadlines = section(page, 'Frister og påmindelser');
    await expect(deadlines).toContainText(`Næste påmindelse: ${dateTime(state.next_reminder_at)}.`);
    const coordinatorDue = state.deadlines.find((d) => d.name === 'coordinator').due;
    await expect(deadlines.getByRole('listitem').filter({ hasText: 'Tovholder skal vælges' })).toHaveText(`Tovholder skal vælges: ${dateTime(coordinatorDue)}`);
    await expect(page.locator('.order-summary')).toContainText(dateTime(state.next_reminder_at));

    // Another caseworker of the job centre as coordinator.
    const coordinator = section(page, 'Tovholder');
    let form = await openDetails(coordinator, 'Vælg en anden tovholder');
    await form.getByLabel('Sagsbehandler i jobcenteret').selectOption({ label: 'Bent Bundgaard' });
    await form.getByRole('button', { name: 'Gør til tovholder' }).click();
    await expect(flash(page, 'Tovholderen er valgt.')).toBeVisible();
    await expect(coordinator).toContainText('Tovholder: Bent Bundgaard');
    await expect(coordinator.getByText('Dig', { exact: true })).toHaveCount(0);
    await expect(page.locator('.order-summary')).toContainText('Bent Bundgaard');
    await expect(deadlines.getByRole('listitem').filter({ hasText: 'Tovholder skal vælges' })).toHaveCount(0);
    expect((await live(order.id)).coordinator).toBe(aalborg2.sub);

    // Share later: nationally on a day of our choosing; the automatic steps stop.
    const day = copenhagenDay(5);
    form = await openDetails(sharing, 'Del nu eller senere');
    await form.getByRole('radio', { name: 'delt med alle landets jobcentre' }).check();
    await form.getByRole('radio', { name: 'På en bestemt dag' }).check();
    await form.locator('[name="sharing_at_date"]').fill(day);
    await form.locator('[name="sharing_at_time"]').fill('09:30');
    await form.getByRole('button', { name: 'Gem delingen' }).click();
    await expect(flash(page, 'Delingen er gemt.')).toBeVisible();
    const planned = new Date(new Date(`${day}T09:30:00Z`).getTime() - (Number(parts(`${day}T12:00:00Z`).hour) - 12) * 3_600_000);
    await expect(sharing).toContainText('Jobordren er intern.');
    await expect(upcoming.getByRole('listitem')).toHaveText([
      `Deles med alle landets jobcentre ${weekdayDate(planned)} (planlagt af jobcenteret) (${dateTime(planned)})`,
    ]);
    await expect(page.locator('.order-summary')).toContainText(`Deles med alle landets jobcentre ${weekdayDate(planned)}`);
    await expect(section(page, 'Formidlingslog').getByRole('row').filter({ hasText: 'Deling planlagt' }).first()).toContainText(dateTime(planned));
    await checkPage(page);

    // Correct the details: a refused number of positions is named in the summary and at the
    // field, what was typed stays, and nothing is changed.
    form = await openDetails(page, 'Ret oplysninger');
    await form.getByLabel('Titel').fill(order.title + ' (rettet)');
    await form.getByLabel('Antal stillinger').fill('0');
    await form.getByRole('button', { name: 'Gem rettelserne' }).click();
    const summary = page.locator('[data-module="error-summary"]');
    await expect(summary).toBeVisible();
    await expect(summary.getByRole('link')).toHaveCount(1);
    const message = await summary.getByRole('link').textContent();
    await expect(page.locator('#field-positions-error')).toContainText(message.trim());
    await expect(page.getByLabel('Antal stillinger')).toHaveValue('0');
    await expect(page.getByLabel('Titel')).toHaveValue(order.title + ' (rettet)');
    await expect(page.getByRole('heading', { level: 1, name: order.title, exact: true })).toBeVisible();
    await checkPage(page, 'order-details-error');
    let stored = await api('GET', `/api/v1/job-orders/${order.id}`, aalborg);
    expect([stored.title, stored.positions]).toEqual([order.title, 2]);
    await summary.getByRole('link').click();
    await expect(page.getByLabel('Antal stillinger')).toBeFocused();

    // Then a valid one: the page shows it, the log names the fields.
    await page.getByLabel('Antal stillinger').fill('3');
    await page.getByRole('button', { name: 'Gem rettelserne' }).click();
    await expect(flash(page, 'Oplysningerne er gemt.')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: order.title + ' (rettet)' })).toBeVisible();
    await expect(section(page, 'Jobordren')).toContainText('Antal stillinger3');
    await expect(section(page, 'Ansættelser')).toContainText('0 af 3 stillinger er besat.');
    await expect(section(page, 'Formidlingslog').getByRole('row').filter({ hasText: 'Oplysninger rettet' }).first()).toBeVisible();
    stored = await api('GET', `/api/v1/job-orders/${order.id}`, aalborg);
    expect([stored.title, stored.positions]).toEqual([order.title + ' (rettet)', 3]);

    // Pause: temporarily inactive until a day, shown with the date.
    const status = section(page, 'Status');
    const until = copenhagenDay(10);
    form = await openDetails(status, 'Skift status');
    await form.getByRole('radio', { name: 'Midlertidigt inaktiv' }).check();
    await form.getByLabel('Inaktiv til og med').fill(until);
    await form.getByRole('button', { name: 'Skift status' }).click();
    await expect(flash(page, 'Status er ændret.')).toBeVisible();
    await expect(status).toContainText(`Jobordren har status Midlertidigt inaktiv. Til og med ${date(`${until}T12:00:00Z`)}.`);
    await expect(page.locator('.order-summary')).toContainText('Midlertidigt inaktiv');
    await checkPage(page, 'order-paused');

    // Close it, then reopen it.
    form = await openDetails(status, 'Skift status');
    await form.getByRole('radio', { name: 'Lukket' }).check();
    await form.getByLabel('Årsag til lukning').selectOption({ label: 'Ingen egnede kandidater' });
    await form.getByRole('button', { name: 'Skift status' }).click();
    await expect(flash(page, 'Status er ændret.')).toBeVisible();
    await expect(status).toContainText('Jobordren har status Lukket. Årsag: Ingen egnede kandidater.');
    await expect(deadlines.getByRole('listitem').filter({ hasText: 'Sidste frist for at genåbne' })).toBeVisible();
    await status.getByRole('button', { name: 'Genåbn jobordren' }).click();
    await expect(flash(page, 'Status er ændret.')).toBeVisible();
    await expect(status).toContainText('Jobordren har status Åben.');
    await expect(status.getByRole('button', { name: 'Genåbn jobordren' })).toHaveCount(0);
    await expect(page.locator('.order-summary')).toContainText('Åben');
    await expect(section(page, 'Formidlingslog').getByRole('row').filter({ hasText: 'Status ændret fra Lukket til Åben' }).first()).toBeVisible();
    await checkPage(page);
    expect((await live(order.id)).status).toBe('open');
  });

  test("a neighbour's proposal rejected with a reason, a referral withdrawn, and notes internal and to the employer", async ({ page, newPage }) => {
    const order = await aalborgOrder(`Murer til Aalborg ${Date.now()}`);
    const orderPath = '/job-orders/' + order.id;
    await api('PUT', `/api/v1/job-orders/${order.id}/sharing`, aalborg, { level: 'neighbours' });
    // Proposals are decided by the order's coordinator (or a manager): Aase is it.
    await api('PUT', `/api/v1/job-orders/${order.id}/coordinator`, aalborg, { caseworker_id: aalborg.sub });
    const theirs = await api('POST', '/api/v1/candidates', rebild, newCandidate('Rasmus Rebild'), [201]);
    const proposal = await api('POST', `/api/v1/job-orders/${order.id}/referrals`, rebild, { candidate_id: theirs.id }, [201]);
    expect(proposal.status).toBe('pending_approval');
    const mine = await api('POST', '/api/v1/candidates', aalborg, newCandidate('Anja Aalborg'), [201]);
    await api('POST', `/api/v1/job-orders/${order.id}/referrals`, aalborg, { candidate_id: mine.id }, [201]);

    await loginWithToken(page, aalborg, orderPath);
    await expect(page.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
    await checkPage(page);

    // Reject the proposal with a reason.
    const referrals = section(page, 'Henvisninger');
    const rasmus = referrals.getByRole('row').filter({ hasText: 'Rasmus Rebild' });
    await expect(rasmus).toContainText('Venter på godkendelse');
    await expect(rasmus).toContainText('Rikke Rebild');
    const reject = await openDetails(rasmus, 'Afvis');
    await reject.getByLabel('Begrundelse').fill('Arbejdsgiveren søger en med svendebrev som murer.');
    await checkPage(page, 'order-reject');
    await reject.getByRole('button', { name: 'Afvis forslaget' }).click();
    await expect(flash(page, 'Forslaget er afvist. Det foreslående jobcenter får besked.')).toBeVisible();
    await expect(rasmus).toContainText('Afvist');
    await expect(rasmus).toContainText('Begrundelse: Arbejdsgiveren søger en med svendebrev som murer.');
    await expect(rasmus.getByRole('button', { name: /Godkend/ })).toHaveCount(0);

    // Withdraw our own referral.
    const anja = referrals.getByRole('row').filter({ hasText: 'Anja Aalborg' });
    await expect(anja).toContainText('Sendt');
    await anja.getByRole('button', { name: 'Træk tilbage (henvisningen af Anja Aalborg)' }).click();
    await expect(flash(page, 'Henvisningen er trukket tilbage.')).toBeVisible();
    await expect(anja).toContainText('Trukket tilbage');
    await expect(anja.getByRole('button', { name: /Træk tilbage/ })).toHaveCount(0);
    await expect(section(page, 'Formidlingslog').getByRole('row').filter({ hasText: 'Henvisningen af Anja Aalborg blev trukket tilbage' }).first()).toBeVisible();

    // Two notes: one internal, one to the employer.
    const notes = section(page, 'Noter');
    await expect(notes).toContainText('Der er ingen noter.');
    let form = await openDetails(notes, 'Skriv en note');
    await form.getByLabel('Note', { exact: true }).fill('Internt: arbejdsgiveren betaler over overenskomst.');
    await expect(form.getByRole('radio', { name: 'Intern' })).toBeChecked();
    await form.getByRole('button', { name: 'Gem noten' }).click();
    await expect(flash(page, 'Noten er gemt.')).toBeVisible();
    form = await openDetails(notes, 'Skriv en note');
    await form.getByLabel('Note', { exact: true }).fill('Vi sender flere kandidater i næste uge.');
    await form.getByRole('radio', { name: 'Til arbejdsgiveren' }).check();
    await form.getByRole('button', { name: 'Gem noten' }).click();
    await expect(flash(page, 'Noten er gemt.')).toBeVisible();
    await expect(notes.getByRole('listitem').filter({ hasText: 'Internt: arbejdsgiveren betaler over overenskomst.' })).toContainText('Intern');
    await expect(notes.getByRole('listitem').filter({ hasText: 'Vi sender flere kandidater i næste uge.' })).toContainText('Til arbejdsgiveren');
    await checkPage(page, 'order-notes');

    // The proposer, in a second browser, sees the rejection and its reason.
    const proposer = await newPage();
    await loginWithToken(proposer, rebild, orderPath);
    await expect(proposer.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
    const theirRow = section(proposer, 'Henvisninger').getByRole('row').filter({ hasText: 'Rasmus Rebild' });
    await expect(theirRow).toContainText('Afvist');
    await expect(theirRow).toContainText('Begrundelse: Arbejdsgiveren søger en med svendebrev som murer.');
    // Another job centre sees only the referrals it proposed, and no internal note.
    await expect(section(proposer, 'Henvisninger').getByRole('row').filter({ hasText: 'Anja Aalborg' })).toHaveCount(0);
    await expect(proposer.getByText('Internt: arbejdsgiveren betaler over overenskomst.')).toHaveCount(0);
    await checkPage(proposer);

    // The employer, logged in, sees the note to the employer and not the internal one.
    const employer = await newPage();
    await loginWithToken(employer, users.employer, orderPath);
    await expect(employer.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
    // The note is in the notes from the job centre (and its history line quotes it too).
    await expect(employer.locator('section[aria-labelledby="jobcenter-notes"]').getByText('Vi sender flere kandidater i næste uge.')).toBeVisible();
    await expect(employer.getByText('Internt: arbejdsgiveren betaler over overenskomst.')).toHaveCount(0);
    await expect(employer.getByText('Arbejdsgiveren søger en med svendebrev som murer.')).toHaveCount(0);
    await checkPage(employer, 'employer-order-note');
  });
});
