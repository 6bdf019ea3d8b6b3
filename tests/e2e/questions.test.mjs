// The heart of the forum in a real browser: member A asks, member B answers, A accepts, and an
// anonymous visitor opening the canonical URL sees the accepted answer marked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectConsoleErrors, formatViolations, runAxe, screenshot, withServerAndBrowser,
} from './harness.mjs';
import { assertAccessible } from './forum.mjs';
import { joinAndSignIn } from './mail.mjs';

const env = withServerAndBrowser();

const TITLE = 'Why did my red widget break in the rain?';

test('ask, answer, accept, and a visitor sees the accepted answer', { timeout: 120_000 }, async (t) => {
  const asker = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const helper = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.after(() => Promise.all([asker.close(), helper.close()]));
  const a = await asker.newPage();
  const b = await helper.newPage();
  const errors = [...[a, b].map(collectConsoleErrors)];

  await joinAndSignIn(a, env.server.baseUrl, env.server.dataDir, 'ann');
  await joinAndSignIn(b, env.server.baseUrl, env.server.dataDir, 'bob');

  await a.getByRole('link', { name: 'Ask a question' }).first().click();
  await a.getByLabel('Title').fill(TITLE);
  await a.getByLabel('Details (Markdown)').fill('It sat outside overnight. Now the **power light** blinks and nothing happens.');
  await a.getByLabel('Tags').fill('widgets rain');
  await a.getByRole('button', { name: 'Post your question' }).click();
  await a.waitForURL(/\/questions\/\d+\/why-did-my-red-widget-break-in-the-rain$/);
  const canonical = a.url();

  await b.goto(canonical);
  await b.getByLabel('Answer (Markdown)').fill('Water got under the battery seal. Dry it for a day, then fit the newer gasket.');
  await b.waitForSelector('#answer-preview:not([hidden])');
  assert.match(await b.locator('#answer-preview').innerText(), /battery seal/);
  await b.getByRole('button', { name: 'Post your answer' }).click();
  await b.waitForURL(/#answer-\d+$/);

  // Bob's vote on the question updates in place, without leaving the page.
  const score = b.locator('#question .score');
  await b.locator('#question').getByRole('button', { name: /Vote up/ }).click();
  await assert.doesNotReject(b.waitForFunction(() => document.querySelector('#question .score').textContent.includes('1')));
  assert.match(await score.innerText(), /1/);

  await a.goto(canonical);
  await a.getByRole('button', { name: 'Accept this answer' }).click();
  await a.waitForURL(/#answer-\d+$/);
  assert.equal(await a.locator('.answer.accepted').count(), 1);

  for (const { name, options } of [
    { name: 'question-desktop', options: { viewport: { width: 1280, height: 900 } } },
    { name: 'question-phone', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
  ]) {
    const visitor = await env.browser.newContext(options);
    const page = await visitor.newPage();
    const visitorErrors = collectConsoleErrors(page);
    const response = await page.goto(canonical);
    assert.equal(response.status(), 200);
    await screenshot(page, name);
    assert.equal(await page.locator('h1').innerText(), TITLE);
    assert.match(await page.locator('.answer.accepted').innerText(), /Accepted answer[\s\S]*battery seal/);
    await assertAccessible(t, page, name);
    assert.deepEqual(visitorErrors, []);
    await visitor.close();
  }
  assert.deepEqual(errors.flat(), []);
});
