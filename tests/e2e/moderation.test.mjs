// Keeping the forum clean: a member flags a spam answer, a moderator handles it from the flag
// queue with one click; staff close a question as a duplicate, and a visitor follows the banner
// to the canonical question and its answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectConsoleErrors, formatViolations, runAxe, screenshot, withServerAndBrowser,
} from './harness.mjs';
import { signIn, assertAccessible, ask, answer } from './forum.mjs';
import { joinAndSignIn } from './mail.mjs';

const env = withServerAndBrowser();
const CANONICAL = 'Why did my red widget break in the rain?';
const DUPLICATE = 'Gadget soaked by a downpour will not power on';
const GOOD_ANSWER = 'Dry it for a day in a warm room; mine came back after that.';
const SPAM = 'Cheap replica watches and handbags, best prices, order today!';

test('a moderator handles a spam flag; a visitor follows a duplicate banner', { timeout: 180_000 }, async (t) => {
  const { server, browser } = env;
  for (const [username, role] of [['mona', 'moderator'], ['sam', 'staff']]) {
    await server.cli(['user', 'create', '--username', username, '--email', `${username}@example.com`, '--role', role,
      '--password-stdin'], 'tulip-quartz-lantern\n');
  }
  const contexts = await Promise.all([1, 2, 3, 4, 5].map(() => browser.newContext({ viewport: { width: 1280, height: 900 } })));
  t.after(() => Promise.all(contexts.map((c) => c.close())));
  const [ann, bob, carl, mona, sam] = await Promise.all(contexts.map((c) => c.newPage()));
  const errors = [ann, bob, carl, mona, sam].map(collectConsoleErrors);
  await joinAndSignIn(ann, server.baseUrl, server.dataDir, 'ann');
  await joinAndSignIn(bob, server.baseUrl, server.dataDir, 'bob');
  await joinAndSignIn(carl, server.baseUrl, server.dataDir, 'carl');
  await signIn(mona, server.baseUrl, 'mona');
  await signIn(sam, server.baseUrl, 'sam');

  const canonical = await ask(ann, server.baseUrl, CANONICAL,
    'It sat outside overnight. Now the power light blinks and nothing happens.', 'widgets rain');
  await answer(bob, canonical, GOOD_ANSWER);
  await answer(carl, canonical, SPAM);

  // Bob flags the spam from the question page, without any script needed.
  await bob.goto(canonical);
  const spamAnswer = bob.locator('article.answer', { hasText: 'replica watches' });
  await spamAnswer.locator('.flag-form summary').click();
  await spamAnswer.getByLabel('Spam or advertising').check();
  await spamAnswer.getByRole('button', { name: 'Send flag' }).click();
  await bob.locator('.flash', { hasText: 'a moderator will look' }).waitFor();

  // The moderator finds it in the queue and agrees with one click.
  await mona.goto(server.baseUrl);
  await mona.getByRole('link', { name: 'Moderation' }).click();
  await mona.waitForURL('**/mod/flags');
  const item = mona.locator('.mod-item', { hasText: 'replica watches' });
  assert.match(await item.innerText(), /spam\s+by bob/);
  await screenshot(mona, 'mod-flags');
  await assertAccessible(t, mona, 'mod-flags');
  await item.getByRole('button', { name: /^Agree/ }).click();
  await mona.locator('.flash', { hasText: 'The post is deleted' }).waitFor();
  assert.match(await mona.locator('main').innerText(), /No open flags/);

  const passerby = await browser.newPage();
  await passerby.goto(canonical);
  assert.doesNotMatch(await passerby.locator('main').innerText(), /replica watches/);
  await passerby.close();

  // Someone asks the same thing in other words; it gets an answer before staff spot it.
  const duplicate = await ask(bob, server.baseUrl, DUPLICATE,
    'Left it on the balcony during a downpour and now it stays dark.', 'widgets');
  await answer(ann, duplicate, 'Same thing happened to me; see the other question about rain.');
  await sam.goto(duplicate);
  await sam.locator('.moderation summary', { hasText: 'Close this question' }).click();
  await sam.getByLabel('Reason').selectOption('duplicate');
  await sam.getByLabel('Original question (number or address)').fill(canonical);
  await sam.getByRole('button', { name: 'Close', exact: true }).click();
  await sam.locator('.flash', { hasText: 'The question is closed' }).waitFor();

  // A visitor landing on the duplicate follows the banner to the one good answer. (A new browser:
  // anonymous pages may be cached for a minute, and this one has not seen the canonical page.)
  const visitorContext = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  t.after(() => visitorContext.close());
  const visitor = await visitorContext.newPage();
  const visitorErrors = collectConsoleErrors(visitor);
  await visitor.goto(duplicate);
  const banner = visitor.locator('.closed-notice');
  assert.match(await banner.innerText(), /already has an answer here/);
  await screenshot(visitor, 'duplicate-banner-phone');
  await assertAccessible(t, visitor, 'duplicate-banner-phone');
  await banner.getByRole('link', { name: CANONICAL }).click();
  await visitor.waitForURL((url) => url.href.startsWith(canonical));
  assert.match(await visitor.locator('article.answer').first().innerText(), /warm room/);
  assert.match(await visitor.locator('.also-asked').innerText(), new RegExp(DUPLICATE));
  assert.deepEqual(visitorErrors, []);
  assert.deepEqual(errors.flat(), []);
});
