// The secure_link channel seen by the employer's contact person: the mailed link opens a page
// without an account, a one-time code comes to the same address (read here from the dev
// mailbox), a wrong code shows the error summary, the right one shows the CV. And the employer's
// own order page: the job centre's contact person, none of its planning.
const { test, expect, checkPage, loginAs } = require('../lib/fixtures');
const { api, users, newOrder, stack } = require('../lib/stack');

/** The dev mailbox's mails (newest first) of an order, as HTML article chunks. */
async function mailsOf(orderID) {
  const res = await fetch(stack().baseURL + '/dev/mailbox');
  const html = await res.text();
  return html.split('<article').filter((a) => a.includes(orderID));
}

async function waitForMail(orderID, pattern) {
  let found;
  await expect.poll(async () => {
    for (const m of await mailsOf(orderID)) {
      const hit = m.match(pattern);
      if (hit) {
        found = hit;
        return true;
      }
    }
    return false;
  }, { timeout: 15000, message: `a mail of order ${orderID} matching ${pattern}` }).toBe(true);
  return found;
}

test('the employer reads a secure_link CV after entering the code from its mailbox', async ({ page }) => {
  const order = await api('POST', '/api/v1/job-orders', users.employer, newOrder({ company_name: undefined }));
  const cvText = `Restaurering af bindingsværk ${Date.now()}`;
  const cand = await api('POST', '/api/v1/candidates', users.caseworker, {
    name: 'Sikker Linksen', email: `sikker.${Date.now()}@example.dk`, searchable: true,
    cv: { headline: 'Tømrer', occupations: ['7115'], experience: cvText, education: 'Svend', skills: ['tage'] },
  });
  await api('POST', `/api/v1/job-orders/${order.id}/referrals`, users.caseworker, { candidate_id: cand.id, channel: 'secure_link' });

  // The mail has the link and no CV data.
  const [, token] = await waitForMail(order.id, /\/secure-links\/([A-Za-z0-9_-]{43})/);
  for (const m of await mailsOf(order.id)) {
    if (m.includes('/secure-links/')) {
      expect(m).not.toContain('Sikker Linksen');
      expect(m).not.toContain(cvText);
    }
  }

  await page.goto('/secure-links/' + token);
  await expect(page.getByRole('heading', { level: 1, name: "Henviste CV'er" })).toBeVisible();
  await expect(page.getByText('e***@firma.example').first()).toBeVisible();
  await expect(page.getByText(cvText)).toHaveCount(0);
  await checkPage(page, 'secure-link');

  await page.getByRole('button', { name: 'Send mig en kode' }).click();
  await expect(page.getByText('Vi har sendt en engangskode')).toBeVisible();
  await checkPage(page);
  const [, code] = await waitForMail(order.id, /<h2>Engangskode[^<]*<\/h2>[\s\S]*?<pre>[^<]*?\n\n(\d{6})\n\n/);

  // A wrong code: the error summary, the form again, no CV.
  await page.getByLabel('Engangskode').fill(code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: "Vis CV'et" }).click();
  const summary = page.locator('[data-module="error-summary"]');
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('link', { name: /Koden er forkert/ })).toBeVisible();
  await expect(page.getByText(cvText)).toHaveCount(0);
  await checkPage(page, 'secure-link-wrong-code');

  // The right code: the CV.
  await page.getByLabel('Engangskode').fill(code);
  await page.getByRole('button', { name: "Vis CV'et" }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Sikker Linksen' })).toBeVisible();
  await expect(page.getByText(cvText)).toBeVisible();
  await checkPage(page, 'secure-link-cv');

  // The read is in the candidate's CV access log.
  const log = await api('GET', `/api/v1/candidates/${cand.id}/access-log`, users.caseworker);
  expect(log.items.length).toBe(1);
  expect(log.items[0].reader_id).toMatch(/^secure-link:/);
});

test("the employer's order page names the job centre's contact person and none of its planning", async ({ page }) => {
  const order = await api('POST', '/api/v1/job-orders', users.employer, newOrder({ company_name: undefined }));
  await api('PUT', `/api/v1/job-orders/${order.id}/coordinator`, users.caseworker, { caseworker_id: users.caseworker.sub });
  await loginAs(page, 'Example Employer', `/job-orders/${order.id}`);
  await expect(page.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
  const coordinator = page.locator('section[aria-labelledby="coordinator"]');
  await expect(coordinator.getByText('Example Caseworker')).toBeVisible();
  await expect(coordinator.getByRole('link', { name: 'caseworker-1@jobcenter.example' })).toBeVisible();
  await expect(coordinator.getByText('+45 87 13 20 01')).toBeVisible();
  await expect(page.locator('#sharing, #deadlines, #follow-ups, #notes')).toHaveCount(0);
  await expect(page.getByText('Næste påmindelse')).toHaveCount(0);
  await checkPage(page, 'employer-order');
});
