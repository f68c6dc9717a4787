/**
 * Browser end-to-end test of the moderation page (public/admin/) against the real server and two
 * demo pages, in headless Chromium. Run with `npm run test:e2e` (loopback-only network namespace).
 * Predicates evaluated in the page are real functions (the CSP forbids eval).
 */
import { STEP_MS, useDemoSuite, waitForStatus, type Win } from './support';

const TOKEN = 'alice-e2e-token-0123456789';

// A console.error on any page fails the test, as a page error does.
const suite = useDemoSuite({ env: { ADMIN_TOKENS: `alice:${TOKEN}`, REPORT_EVIDENCE_MESSAGES: '5' }, consoleErrorsFail: true });
const open = (label: string, path: string) => suite.session.openPage(label, path);
const openDemo = (label: string) => suite.session.open(label);

test('a report from a demo page shows up; the moderator bans from the page; the next join is refused', async () => {
  const reporter = await openDemo('reporter');
  const reported = await openDemo('reported');
  const reportedId = (await reported.evaluate(() => (globalThis as Win).__demo.userId)) as string;
  await reporter.click('#start');
  await waitForStatus(reporter, 'Waiting');
  await reported.click('#start');
  await Promise.all([waitForStatus(reporter, 'Connected'), waitForStatus(reported, 'Connected')]);
  await reported.fill('#message-input', 'buy my stuff');
  await reported.click('#send');
  await reporter.waitForSelector('#messages .message.theirs:has-text("buy my stuff")');
  await reporter.click('#report');
  // The demo asks for a reason and a confirmation before it reports.
  await reporter.check('#report-reasons input[value="other"]');
  await reporter.click('#report-confirm');
  const deadline = Date.now() + STEP_MS;
  while ((await suite.demo.server.services.moderation.listReports({ limit: 1, status: 'open' }, Date.now())).total === 0) {
    if (Date.now() > deadline) throw new Error('the report was not stored');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const moderator = await open('moderator', '/admin/');
  await moderator.fill('#token', TOKEN);
  await moderator.click('#save-token');
  const report = moderator.locator(`li.report[data-reported-id="${reportedId}"]`);
  await report.waitFor();
  expect(await report.locator('.reason').textContent()).toBe('other');
  expect(await report.locator('.evidence').textContent()).toContain('reported: buy my stuff');
  expect(await moderator.evaluate(() => (globalThis as Win).sessionStorage.length)).toBe(1);

  await report.locator('.ban-mode').selectOption('hard');
  await report.locator('.ban').click();
  await moderator.waitForSelector('#notice:has-text("Banned")');

  await reported.click('#next');
  await reported.waitForSelector('#banner:has-text("banned")'); // the demo's ban banner

  await moderator.click('#tab-bans');
  const row = moderator.locator('#bans tr.ban-row');
  await row.waitFor();
  expect(await row.textContent()).toContain(reportedId);
  await moderator.click('#tab-audit');
  await moderator.waitForSelector('#audit .audit-entry:has-text("alice · ban")');

  await moderator.click('#tab-bans');
  await moderator.locator('#bans .unban').click();
  await moderator.waitForSelector('#notice:has-text("Ban lifted")');
  expect(await moderator.locator('#bans tr.ban-row').count()).toBe(0);
}, 120_000);

test('a wrong token is refused and the page asks again', async () => {
  const moderator = await open('moderator', '/admin/');
  await moderator.fill('#token', 'not-the-right-token-123');
  await moderator.click('#save-token');
  await moderator.waitForSelector('#notice:has-text("refused")');
  expect(await moderator.locator('#token-form').isVisible()).toBe(true);
  suite.session.pageErrors.splice(0); // the browser logs the 401 response as a console error
});
