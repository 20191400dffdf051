// The dev stack's mailbox page (/dev/mailbox, internal/devstack/mailbox.go), read in the browser
// as a developer would: every e-mail the stack sent, newest first, each in an <article> with its
// template, order and the mail itself in a sandboxed frame.
const { expect } = require('@playwright/test');

/**
 * Opens the dev mailbox in page and reloads it until it shows an e-mail of template about
 * orderId (written when the workflow's timer fired and the worker delivered it); returns that
 * e-mail's <article>.
 * @param {import('@playwright/test').Page} page
 * @param {{orderId: string, template: string, timeout?: number}} want
 */
async function waitForMail(page, { orderId, template, timeout = 30_000 }) {
  const mail = page.locator('article')
    .filter({ has: page.locator('dd', { hasText: new RegExp('^' + orderId + '$') }) })
    .filter({ has: page.locator('dd', { hasText: new RegExp('^' + template + '$') }) })
    .first();
  await expect(async () => {
    await page.goto('/dev/mailbox');
    await expect(mail).toBeVisible({ timeout: 500 });
  }, `an e-mail ${template} about order ${orderId} in the dev mailbox`).toPass({ timeout, intervals: [500, 1000] });
  return mail;
}

/**
 * The address a link (by its text) of an e-mail on the mailbox page points at, read from the
 * e-mail's HTML in its frame.
 * @param {import('@playwright/test').Locator} mail an <article> from waitForMail
 * @param {string|RegExp} name the link's text, e.g. "Se jobordren"
 */
async function mailLink(mail, name) {
  const link = mail.locator('iframe').contentFrame().getByRole('link', { name });
  await expect(link).toBeVisible();
  return link.getAttribute('href');
}

module.exports = { waitForMail, mailLink };
