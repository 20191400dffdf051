// The employer's answer to the close-out question (issue #13 point 6): the close_out_question
// e-mail links to a page where the employer answers in one click after login; the answer reaches
// the order's workflow. Herning (657) is a job centre no other spec uses, so its policy of
// seconds changes nothing the other specs see.
const { test, expect, checkPage, loginWithToken } = require('../lib/fixtures');
const { api, users, newOrder, setPolicy, stack } = require('../lib/stack');
const { waitForMail, mailLink } = require('../lib/mailbox');
const { flash, section } = require('../lib/page');

const herningManager = { role: 'manager', sub: 'manager-herning', jobcenter: '657', name: 'Helle Herning', email: 'manager-herning@jobcenter.example' };

function herningOrder(title) {
  return newOrder({
    title, company_name: undefined,
    workplace: { address: 'Bredgade 1', postal_code: '7400', municipality_code: '657' },
    responsible_jobcenter: '657',
  });
}

test.beforeAll(async () => {
  // Three seconds without activity and the close-out nudge falls due, asking the employer once.
  await setPolicy('657', herningManager, { working_days_only: false, close_out_after_inactivity: 'PT3S', reminder_repeat: 'PT1H' });
});

test('the employer answers the close-out question from its e-mail: still recruiting keeps the order open, close closes it', async ({ page }) => {
  const stamp = Date.now();
  const alive = await api('POST', '/api/v1/job-orders', users.employer, herningOrder(`Smed ${stamp} stadig`), [201]);
  const done = await api('POST', '/api/v1/job-orders', users.employer, herningOrder(`Smed ${stamp} besat`), [201]);

  // The question arrives in the employer's mailbox; its button opens the answer page.
  const mail = await waitForMail(page, { orderId: alive.id, template: 'close_out_question' });
  await checkPage(page);
  const href = await mailLink(mail, 'Svar på spørgsmålet');
  expect(href, 'the question links to the answer page').toBe(stack().baseURL + `/job-orders/${alive.id}/close-out`);

  // Not logged in: the login first, then back on the answer page.
  await page.goto(href);
  await expect(page).toHaveURL(/\/login/);
  await checkPage(page);
  await page.getByRole('button', { name: /^Log ind som Example Employer/ }).click();
  await expect(page).toHaveURL(new RegExp(`/job-orders/${alive.id}/close-out$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Er stillingen besat?' })).toBeVisible();
  await expect(page.getByRole('link', { name: alive.title })).toBeVisible();
  await checkPage(page, 'employer-close-out');

  // "No, we are still recruiting": the order stays open and its history says what was answered.
  await page.getByRole('button', { name: 'Nej, vi rekrutterer stadig' }).click();
  await expect(page).toHaveURL(new RegExp(`/job-orders/${alive.id}#status$`));
  await expect(flash(page, 'Tak for svaret. Jobcentret ved nu, at I stadig rekrutterer.')).toBeVisible();
  await expect(section(page, 'Status')).toContainText('Åben');
  await expect(page.getByText('Arbejdsgiveren svarede på spørgsmålet om afslutning: rekrutterer stadig')).toBeVisible();
  await checkPage(page);
  expect((await api('GET', `/api/v1/job-orders/${alive.id}`, users.employer)).status).toBe('open');

  // "Yes, close it" on the other order: closed, as the employer closed it.
  const second = await waitForMail(page, { orderId: done.id, template: 'close_out_question' });
  await page.goto(await mailLink(second, 'Svar på spørgsmålet'));
  await page.getByRole('button', { name: 'Ja, luk jobordren' }).click();
  await expect(flash(page, 'Tak for svaret. Jobordren er lukket.')).toBeVisible();
  await expect(section(page, 'Status')).toContainText('Lukket');
  await checkPage(page);
  expect((await api('GET', `/api/v1/job-orders/${done.id}`, users.employer)).status).toBe('closed');

  // The link again: nothing left to answer, and no buttons.
  await page.goto(`/job-orders/${done.id}/close-out`);
  await expect(page.getByText('Jobordren er lukket. Der er ikke noget at svare på.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Ja, luk jobordren' })).toHaveCount(0);
  await checkPage(page);
});

test("the close-out page is the order's employer's alone: a caseworker gets the 404 page", async ({ page }) => {
  const order = await api('POST', '/api/v1/job-orders', users.employer, herningOrder(`Smed ${Date.now()} fremmed`), [201]);
  await loginWithToken(page, { role: 'caseworker', sub: 'caseworker-herning', jobcenter: '657', name: 'Henrik Herning' }, '/');
  await checkPage(page);
  const res = await page.goto(`/job-orders/${order.id}/close-out`);
  expect(res.status()).toBe(404);
  await checkPage(page);
});
