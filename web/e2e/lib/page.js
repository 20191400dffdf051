// Locators the specs share for the console's page structure: the flash message a command's
// redirect shows, a page's sections by their h2, and the <details> that hold the command forms.

/** The flash message (role status) with the text. */
function flash(page, text) {
  return page.getByRole('status').filter({ hasText: text });
}

/** The page's section by its h2: a text (matched exactly) or a pattern. */
function section(page, heading) {
  return page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: heading, exact: typeof heading === 'string' }) });
}

/** Opens a <details> of the scope (a page or a locator) by its summary text, if it is not open yet, and returns it. */
async function openDetails(scope, summary) {
  const page = typeof scope.page === 'function' ? scope.page() : scope;
  const details = scope.locator('details').filter({ has: page.locator('summary', { hasText: summary }) }).first();
  if (!(await details.evaluate((d) => d.open))) {
    await details.locator('summary').first().click();
  }
  return details;
}

module.exports = { flash, section, openDetails };
