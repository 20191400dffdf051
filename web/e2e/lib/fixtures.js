// The test fixtures every spec uses: a page whose every visited URL must be checked with
// axe-core (checkPage), a login helper, and screenshots for docs/console.md.
const { test: base, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;
const fs = require('node:fs');
const path = require('node:path');
const { stack, token } = require('./stack');

function pathOf(url) {
  try {
    return new URL(url).pathname;
  } catch (e) {
    return url;
  }
}

// track records the pages of this site a browser page lands on (main-frame navigations) and
// returns the ones not yet checked with checkPage.
function track(page) {
  const visited = new Set();
  page.a11yChecked = new Set();
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame() && frame.url().startsWith(stack().baseURL)) {
      visited.add(pathOf(frame.url()));
    }
  });
  return () => [...visited].filter((p) => !page.a11yChecked.has(p));
}

const test = base.extend({
  baseURL: async ({}, use) => {
    await use(stack().baseURL);
  },

  // Every page the test's browser lands on (main-frame navigations) must have been checked with
  // checkPage before the test ends; the test fails otherwise, so no page escapes axe.
  page: async ({ page }, use) => {
    const missing = track(page);
    await use(page);
    expect(missing(), 'pages this test visited without checkPage (axe-core)').toEqual([]);
  },

  // newPage opens another browser (a context of its own: its own cookies, so another person
  // logged in beside the test's page), with the same locale, time zone and axe bookkeeping.
  newPage: async ({ browser, locale, timezoneId, viewport }, use) => {
    const opened = [];
    await use(async () => {
      const context = await browser.newContext({ baseURL: stack().baseURL, locale, timezoneId, viewport });
      const page = await context.newPage();
      opened.push({ context, page, missing: track(page) });
      return page;
    });
    for (const o of opened) {
      const missing = o.missing();
      await o.context.close();
      expect(missing, 'pages a second browser visited without checkPage (axe-core)').toEqual([]);
    }
  },
});

/**
 * Checks the page the browser shows now: axe-core finds no violation (at 1280 px and at
 * 320 px), and at 320 CSS px nothing needs horizontal scrolling. With SCREENSHOT_DIR set
 * (`make screenshots`), name gives the files <name>-1280.png and <name>-320.png.
 * @param {import('@playwright/test').Page} page
 * @param {string} [name]
 */
async function checkPage(page, name) {
  await page.waitForLoadState('load');
  await axe(page, 'at 1280 px');
  const size = page.viewportSize();
  if (name && process.env.SCREENSHOT_DIR) {
    fs.mkdirSync(process.env.SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR, `${name}-1280.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 320, height: 720 });
  try {
    // The page's scroller (the root element in standards mode): wider content than its
    // viewport means horizontal scrolling (WCAG 1.4.10 reflow).
    const overflow = await page.evaluate(() => ({
      scroll: document.scrollingElement.scrollWidth,
      client: document.scrollingElement.clientWidth,
      wide: [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && getComputedStyle(el).position !== 'fixed')
        .slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '')),
    }));
    expect(overflow.scroll, `horizontal scrolling at 320 px on ${page.url()} (too wide: ${overflow.wide.join(', ')})`).toBeLessThanOrEqual(overflow.client);
    await axe(page, 'at 320 px');
    if (name && process.env.SCREENSHOT_DIR) {
      await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR, `${name}-320.png`), fullPage: true });
    }
  } finally {
    await page.setViewportSize(size);
  }
  page.a11yChecked.add(pathOf(page.url()));
}

async function axe(page, when) {
  // Legacy mode: this Chromium refuses axe's extra tab ("Failed to open a new tab").
  const results = await new AxeBuilder({ page }).setLegacyMode(true).analyze();
  const violations = results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
  }));
  expect(violations, `axe-core violations ${when} on ${page.url()}`).toEqual([]);
}

/**
 * Logs in on the login page as one of the dev stack's example users (by name).
 * @param {import('@playwright/test').Page} page
 * @param {string} name e.g. "Example Caseworker"
 */
async function loginAs(page, name, next = '/') {
  await page.goto('/login?next=' + encodeURIComponent(next));
  if (!page.a11yChecked.has('/login')) {
    await checkPage(page);
  }
  await page.getByRole('button', { name: new RegExp('^Log ind som ' + name) }).click();
}

/**
 * Logs in on the login page with a bearer token from `jobordre token` for any principal (the dev
 * login's token field), and returns to next afterwards.
 * @param {import('@playwright/test').Page} page
 * @param {object} principal e.g. users.randers from lib/stack.js
 */
async function loginWithToken(page, principal, next = '/') {
  await page.goto('/login?next=' + encodeURIComponent(next));
  if (!page.a11yChecked.has('/login')) {
    await checkPage(page);
  }
  await page.getByLabel('Token').fill(token(principal));
  await page.getByRole('button', { name: 'Log ind med token' }).click();
}

module.exports = { test, expect, checkPage, loginAs, loginWithToken };
