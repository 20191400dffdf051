// The caseworker's core steps with the keyboard alone (WCAG 2.1.1): log in, open the order from
// the inbox, become its coordinator, register the contact, share it with the neighbours, find and
// refer a candidate, register the hire and close the order: Tab to each control, Enter or Space
// to use it, arrow keys in radio groups, typing in fields. No mouse click anywhere.
const { test, expect, checkPage } = require('../lib/fixtures');
const { api, users, newOrder, newCandidate, token } = require('../lib/stack');
const { tabTo, arrowToRadio } = require('../lib/keyboard');

test('the main flow works with the keyboard alone', async ({ page }) => {
  await api('POST', '/api/v1/candidates', users.randers, newCandidate('Jonas Tastesen', {
    cv: { headline: 'Tagdækker med 6 års erfaring', occupations: ['9313'], experience: 'Tagarbejde på parcelhuse.', education: 'Tagdækker', skills: ['tagarbejde'] },
  }), [201]);
  const order = await api('POST', '/api/v1/job-orders', users.employer, newOrder({
    title: `Tastaturordre ${Date.now()}`,
    workplace: { address: 'Østervold 21', postal_code: '8900', municipality_code: '730' },
    responsible_jobcenter: '730', positions: 1,
  }), [201]);
  const flash = (text) => page.getByRole('status').filter({ hasText: text });

  // Log in with the token field.
  await page.goto('/login');
  await checkPage(page);
  await tabTo(page, page.getByLabel('Token'));
  await page.keyboard.insertText(token(users.randers));
  await tabTo(page, page.getByRole('button', { name: 'Log ind med token' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Indbakke' })).toBeVisible();
  await checkPage(page);

  // The order from the inbox.
  await tabTo(page, page.getByRole('link', { name: order.title }).first());
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: order.title })).toBeVisible();
  await checkPage(page);

  // Become the coordinator.
  await tabTo(page, page.getByRole('button', { name: 'Gør mig til tovholder' }));
  await page.keyboard.press('Enter');
  await expect(flash('Tovholderen er valgt.')).toBeVisible();
  await expect(page.getByText('Tovholder: Randi Randers')).toBeVisible();

  // Register the contact: the disclosure opens with Enter.
  await tabTo(page, page.locator('summary', { hasText: 'Registrér kontakt' }));
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByLabel('Hvad talte I om?'));
  await page.keyboard.type('Ringet op, alt aftalt.');
  await tabTo(page, page.getByRole('button', { name: 'Registrér kontakten' }));
  await page.keyboard.press('Enter');
  await expect(flash('Kontakten med arbejdsgiveren er registreret.')).toBeVisible();
  await expect(page.getByText('Ringet op, alt aftalt.').first()).toBeVisible();

  // Share with the neighbours: arrow keys in the radio group.
  await tabTo(page, page.locator('summary', { hasText: 'Del nu eller senere' }));
  await page.keyboard.press('Enter');
  await arrowToRadio(page, page.locator('input[name=sharing_level]'), page.getByRole('radio', { name: 'delt med nabojobcentre' }));
  await tabTo(page, page.getByRole('button', { name: 'Gem delingen' }));
  await page.keyboard.press('Enter');
  await expect(flash('Delingen er gemt.')).toBeVisible();
  await expect(page.getByText('Jobordren er delt med nabojobcentre.')).toBeVisible();

  // Find the candidate with the search (Enter in the field searches) and refer him.
  await tabTo(page, page.locator('summary', { hasText: 'Henvis en kandidat' }));
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByLabel('Søg blandt jobcenterets kandidater'));
  await page.keyboard.type('tagarbejde');
  await page.keyboard.press('Enter');
  const jonas = page.getByRole('radio', { name: /Jonas Tastesen/ });
  await expect(jonas).toBeVisible();
  await arrowToRadio(page, page.locator('input[name=refer_candidate]'), jonas);
  await tabTo(page, page.getByRole('button', { name: 'Henvis kandidaten' }));
  await page.keyboard.press('Enter');
  await expect(flash('Kandidaten er henvist.')).toBeVisible();
  await expect(page.locator('tr[id^=referral-]').filter({ hasText: 'Jonas Tastesen' })).toContainText('Sendt');

  // Register the hire.
  await tabTo(page, page.locator('summary', { hasText: 'Registrér en ansættelse' }));
  await page.keyboard.press('Enter');
  await arrowToRadio(page, page.locator('input[name=hire_referral]'), page.getByRole('radio', { name: 'Jonas Tastesen' }));
  await tabTo(page, page.getByRole('button', { name: 'Registrér ansættelsen' }));
  await page.keyboard.press('Enter');
  await expect(flash('Ansættelsen er registreret.')).toBeVisible();
  await expect(page.getByText('1 af 1 stillinger er besat.')).toBeVisible();

  // Close it: a radio, then the reason picked in the select with the arrow keys.
  await tabTo(page, page.locator('summary', { hasText: 'Skift status' }));
  await page.keyboard.press('Enter');
  await arrowToRadio(page, page.locator('input[name=status]'), page.getByRole('radio', { name: 'Lukket' }));
  const reason = page.getByLabel('Årsag til lukning');
  await tabTo(page, reason);
  for (let i = 0; i < 6 && (await reason.inputValue()) !== 'filled'; i++) {
    await page.keyboard.press('ArrowDown');
  }
  await expect(reason).toHaveValue('filled');
  await tabTo(page, page.getByRole('button', { name: 'Skift status' }));
  await page.keyboard.press('Enter');
  await expect(flash('Status er ændret.')).toBeVisible();
  await expect(page.getByText('Jobordren har status Lukket. Årsag: Besat.')).toBeVisible();
  await checkPage(page);
});
