// A company's distributed FAQ at work: staff find the red-widget question in their queue and
// answer it officially; an anonymous visitor then sees the official badge above the community's
// accepted answer; the staff dashboard shows its charts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectConsoleErrors, formatViolations, runAxe, screenshot, withServerAndBrowser,
} from './harness.mjs';
import { signIn, assertAccessible } from './forum.mjs';
import { joinAndSignIn } from './mail.mjs';

const env = withServerAndBrowser();
const TITLE = 'Why did my red widget break in the rain?';

test('staff answer from the queue; visitors see the official answer first', { timeout: 150_000 }, async (t) => {
  const { server, browser } = env;
  await server.cli(['user', 'create', '--username', 'sam', '--email', 'sam@example.com', '--role', 'staff', '--password-stdin'],
    'tulip-quartz-lantern\n');
  const contexts = await Promise.all([1, 2, 3].map(() => browser.newContext({ viewport: { width: 1280, height: 900 } })));
  t.after(() => Promise.all(contexts.map((c) => c.close())));
  const [ann, bob, sam] = await Promise.all(contexts.map((c) => c.newPage()));
  const errors = [ann, bob, sam].map(collectConsoleErrors);

  await joinAndSignIn(ann, server.baseUrl, server.dataDir, 'ann');
  await joinAndSignIn(bob, server.baseUrl, server.dataDir, 'bob');
  await ann.goto(`${server.baseUrl}/ask`);
  await ann.getByLabel('Title').fill(TITLE);
  await ann.getByLabel('Details (Markdown)').fill('It sat outside overnight. Now the power light blinks and nothing happens.');
  await ann.getByLabel('Tags').fill('widgets rain');
  await ann.getByRole('button', { name: 'Post your question' }).click();
  await ann.waitForURL(/\/questions\/\d+\//);
  const canonical = ann.url();

  await bob.goto(canonical);
  await bob.getByLabel('Answer (Markdown)').fill('Dry it for a day in a warm room; mine came back after that.');
  await bob.getByRole('button', { name: 'Post your answer' }).click();
  await bob.waitForURL(/#answer-\d+$/);
  await ann.goto(canonical);
  await ann.getByRole('button', { name: 'Accept this answer' }).click();
  await ann.waitForURL(/#answer-\d+$/);

  await signIn(sam, server.baseUrl, 'sam');
  await sam.getByRole('link', { name: 'Staff' }).click();
  await sam.waitForURL('**/staff');
  await assert.doesNotReject(sam.locator('svg[role="img"]').first().waitFor());
  await screenshot(sam, 'staff-dashboard');
  await assertAccessible(t, sam, 'staff-dashboard');
  await sam.goto(`${server.baseUrl}/staff/queue`);
  await screenshot(sam, 'staff-queue');
  await assertAccessible(t, sam, 'staff-queue');
  await sam.getByRole('link', { name: TITLE }).click();
  await sam.getByLabel('Answer (Markdown)').fill('Widgets made before 2020 need the sealed battery cover. Write to support and we send one free.');
  assert.equal(await sam.getByLabel('Post as official answer').isChecked(), true);
  await sam.getByRole('button', { name: 'Post your answer' }).click();
  await sam.waitForURL(/#answer-\d+$/);
  await sam.goto(`${server.baseUrl}/staff/queue`);
  assert.equal(await sam.getByRole('link', { name: TITLE }).count(), 0, 'the question left the queue');

  for (const { name, options } of [
    { name: 'official-desktop', options: { viewport: { width: 1280, height: 900 } } },
    { name: 'official-phone', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
  ]) {
    const visitor = await browser.newContext(options);
    const page = await visitor.newPage();
    const visitorErrors = collectConsoleErrors(page);
    await page.goto(canonical);
    await screenshot(page, name);
    const answers = page.locator('article.answer');
    assert.match(await answers.nth(0).innerText(), /Official answer[\s\S]*sealed battery cover/);
    assert.match(await answers.nth(1).innerText(), /Accepted answer[\s\S]*warm room/);
    await assertAccessible(t, page, name);
    assert.deepEqual(visitorErrors, []);
    await visitor.close();
  }
  assert.deepEqual(errors.flat(), []);
});
