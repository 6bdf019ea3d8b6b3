// Someone there ready to respond: a staff member leads the billing topic, a customer asks there,
// the staff member sees the alert, takes the question and answers it officially. When the clock
// has run past the response target, the question is a breach on the dashboard until then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { collectConsoleErrors, screenshot, withServerAndBrowser } from './harness.mjs';
import { ask, assertAccessible, signIn } from './forum.mjs';
import { joinAndSignIn } from './mail.mjs';

const env = withServerAndBrowser();
const TITLE = 'How do I download an old invoice as a PDF?';

/** Moves every response deadline an hour into the past, as if the target's time had run out. */
function letTheTargetPass(dataDir) {
  const script = [
    'import sqlite3, sys',
    'db = sqlite3.connect(sys.argv[1])',
    "db.execute(\"UPDATE response_deadlines SET nearing_at = datetime('now', '-2 hours'), due_at = datetime('now', '-1 hours')\")",
    'db.commit()',
  ].join('\n');
  execFileSync('python3', ['-c', script, path.join(dataDir, 'guidepost.db')]);
}

test('a topic lead hears of a question at once, takes it and answers it officially', { timeout: 150_000 }, async (t) => {
  const { server, browser } = env;
  await server.cli(['user', 'create', '--username', 'sam', '--email', 'sam@example.com', '--role', 'staff', '--password-stdin'],
    'tulip-quartz-lantern\n');
  const contexts = await Promise.all([1, 2].map(() => browser.newContext({ viewport: { width: 1280, height: 900 } })));
  t.after(() => Promise.all(contexts.map((c) => c.close())));
  const [sam, carol] = await Promise.all(contexts.map((c) => c.newPage()));
  const errors = [sam, carol].map(collectConsoleErrors);

  // Sam sets up the topic he leads before anyone asks there.
  await signIn(sam, server.baseUrl, 'sam');
  await sam.getByRole('link', { name: 'My work' }).click();
  await sam.waitForURL('**/staff/my-work');
  await assertAccessible(t, sam, 'my-work-empty');
  await sam.getByLabel('Lead a topic').fill('billing');
  await sam.getByRole('button', { name: 'Lead it' }).click();
  await sam.waitForURL('**/tags/billing#topic-heading');
  await assert.doesNotReject(sam.getByRole('button', { name: 'Stop leading' }).waitFor());
  await assertAccessible(t, sam, 'tag-led');

  // A customer asks in that topic.
  await joinAndSignIn(carol, server.baseUrl, server.dataDir, 'carol');
  const question = await ask(carol, server.baseUrl, TITLE,
    'The billing page lists last year\'s invoices but only offers this month\'s as a PDF.', 'billing');
  await carol.goto(question);
  assert.match(await carol.locator('.topic-leads').innerText(), /On this topic:\s*sam/);

  // Sam sees the alert in the header and in his notifications.
  await sam.goto(`${server.baseUrl}/staff/my-work`);
  await assert.doesNotReject(sam.locator('.unread-count').waitFor());
  await sam.getByRole('link', { name: /Notifications/ }).click();
  assert.match(await sam.locator('main').innerText(), /asked, in a topic you follow,[\s\S]*download an old invoice/);
  await sam.getByRole('link', { name: TITLE }).click();
  await sam.waitForURL(/\/questions\/\d+/);

  // The target's time runs out before anyone answers: a breach on the dashboard.
  letTheTargetPass(server.dataDir);
  await sam.goto(`${server.baseUrl}/staff`);
  const breaches = sam.locator('section[aria-labelledby="breaches-heading"]');
  assert.match(await breaches.innerText(), /download an old invoice/);
  await screenshot(sam, 'staff-breaches');

  // He takes it, and answers it officially.
  await breaches.getByRole('link', { name: TITLE }).click();
  await sam.getByRole('button', { name: 'I’m on it' }).click();
  await assert.doesNotReject(sam.getByText('You are on this question').waitFor());
  await sam.goto(`${server.baseUrl}/staff/my-work`);
  assert.match(await sam.locator('main').innerText(), /Assigned to me[\s\S]*download an old invoice/);
  await screenshot(sam, 'my-work');
  await assertAccessible(t, sam, 'my-work');
  await sam.getByRole('link', { name: TITLE }).first().click();
  await sam.getByLabel('Answer (Markdown)').fill('Open Billing, choose the year and press Download: every invoice since 2019 is there as a PDF.');
  assert.equal(await sam.getByLabel('Post as official answer').isChecked(), true);
  await sam.getByRole('button', { name: 'Post your answer' }).click();
  await sam.waitForURL(/#answer-\d+$/);
  assert.equal(await sam.getByText('You are on this question').count(), 0, 'the official answer released it');

  // The breach view empties.
  await sam.goto(`${server.baseUrl}/staff`);
  await assert.doesNotReject(sam.getByText('No question is past its target.').waitFor());
  assert.deepEqual(errors.flat(), []);
});
