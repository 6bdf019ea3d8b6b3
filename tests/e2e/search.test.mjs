// Search as a customer meets it: typing a title on /ask shows existing questions that may
// already answer it (and opening one is counted as a deflection); the search page, reached from
// the header's search box, highlights the words that matched. Works on a phone and a desktop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectConsoleErrors, formatViolations, runAxe, screenshot, withServerAndBrowser,
} from './harness.mjs';
import { assertAccessible } from './forum.mjs';
import { joinAndSignIn } from './mail.mjs';

const env = withServerAndBrowser();
const TITLE = 'How do I reset the office router password?';

test('similar questions while asking; highlighted search results', { timeout: 150_000 }, async (t) => {
  const { server, browser } = env;
  const contexts = await Promise.all([1, 2].map(() => browser.newContext({ viewport: { width: 1280, height: 900 } })));
  t.after(() => Promise.all(contexts.map((c) => c.close())));
  const [ann, bob] = await Promise.all(contexts.map((c) => c.newPage()));
  const errors = [ann, bob].map(collectConsoleErrors);

  await joinAndSignIn(ann, server.baseUrl, server.dataDir, 'ann');
  await ann.goto(`${server.baseUrl}/ask`);
  await ann.getByLabel('Title').fill(TITLE);
  await ann.getByLabel('Details (Markdown)').fill('The admin password of the router on floor two was lost when Sam left.');
  await ann.getByLabel('Tags').fill('network');
  await ann.getByRole('button', { name: 'Post your question' }).click();
  await ann.waitForURL(/\/questions\/\d+\//);
  const canonical = new URL(ann.url()).pathname;

  // Bob starts asking the same thing in his own words; suggestions appear as he types.
  await joinAndSignIn(bob, server.baseUrl, server.dataDir, 'bob');
  await bob.goto(`${server.baseUrl}/ask`);
  const box = bob.locator('#similar-questions');
  assert.equal(await box.isHidden(), true, 'no suggestions before typing');
  const title = bob.getByLabel('Title');
  await title.pressSequentially('Resetting the router password', { delay: 20 });
  const suggestion = box.getByRole('link', { name: TITLE });
  // Ann's question is usually indexed long before Bob types; should the index lag on a busy
  // machine, typing on asks again.
  for (let attempt = 0; attempt < 10; attempt += 1) {
    try {
      await suggestion.waitFor({ state: 'visible', timeout: 1_500 });
      break;
    } catch {
      await title.press('End');
      await title.pressSequentially(attempt % 2 ? ' ' : '?', { delay: 20 });
    }
  }
  await suggestion.waitFor({ state: 'visible', timeout: 1_500 });
  assert.match(await box.getByRole('heading').innerText(), /may already answer you/);
  await screenshot(bob, 'ask-similar-questions');
  await assertAccessible(t, bob, 'ask-similar-questions');
  await suggestion.click();
  await bob.waitForURL(`${server.baseUrl}${canonical}`);

  // Anyone can search from the header; matched words are highlighted.
  for (const { name, options } of [
    { name: 'search-desktop', options: { viewport: { width: 1280, height: 900 } } },
    { name: 'search-phone', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
  ]) {
    const visitor = await browser.newContext(options);
    const page = await visitor.newPage();
    const visitorErrors = collectConsoleErrors(page);
    await page.goto(server.baseUrl);
    const search = page.getByRole('searchbox', { name: 'Search questions' });
    await search.fill('router passwords');
    await search.press('Enter');
    await page.waitForURL(/\/search\?q=router\+passwords/);
    await assert.doesNotReject(page.getByRole('status').filter({ hasText: '1 result' }).waitFor());
    const marked = await page.locator('.search-results b').allInnerTexts();
    assert.ok(marked.some((w) => /router/i.test(w)), `router is highlighted: ${marked}`);
    assert.ok(marked.some((w) => /password/i.test(w)), `password is highlighted (stemmed match): ${marked}`);
    const robots = await page.locator('meta[name="robots"]').getAttribute('content');
    assert.match(robots, /noindex/);
    await screenshot(page, name);
    await assertAccessible(t, page, name);
    await page.getByRole('link', { name: /reset the office router/ }).click();
    await page.waitForURL(`${server.baseUrl}${canonical}`);
    assert.deepEqual(visitorErrors, [], `console errors on ${name}`);
    await visitor.close();
  }
  errors.forEach((list, i) => assert.deepEqual(list, [], `console errors for member ${i}`));
});
