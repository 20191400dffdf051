// The employer's own pages (issue #13 point 5), in the design system's virk.dk theme as Danish
// business self-service looks: "/" is the company's order list, not a redirect.
const { test, expect, checkPage, loginAs } = require('../lib/fixtures');
const { api, users, newOrder } = require('../lib/stack');

test("the employer's start page is its company's order list in the virk.dk theme", async ({ page }) => {
  const title = `Virk ${Date.now()} tømrer`;
  await api('POST', '/api/v1/job-orders', users.employer, newOrder({ title, company_name: undefined }));
  await loginAs(page, 'Example Employer', '/');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('link[rel="stylesheet"][href*="dkfds-virkdk"]')).toHaveCount(1);
  await expect(page.locator('link[rel="stylesheet"][href*="dkfds.min"]')).toHaveCount(0);
  await expect(page.getByRole('link', { name: title })).toBeVisible();
  await checkPage(page, 'employer-orders');
});
