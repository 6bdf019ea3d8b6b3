// Listening to the market: staff follow a feed elsewhere (served here on 127.0.0.1), see the item
// that matched beside the official answer that already answers it, copy the ready reply, and
// bring another item home as a question.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { collectConsoleErrors, screenshot, withServerAndBrowser } from './harness.mjs';
import { ask, signIn, assertAccessible } from './forum.mjs';

const env = withServerAndBrowser({ env: { GUIDEPOST_OUTBOUND_ALLOW_ADDRESSES: '127.0.0.1' } });

const FEED = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Widget owners' club</title><id>urn:club</id><updated>2026-12-01T10:00:00Z</updated>
  <entry><id>urn:club:1</id><title>Red widget stopped working after the rain</title>
    <link href="https://club.example/t/1"/><updated>2026-12-01T09:00:00Z</updated>
    <author><name>Ann</name></author><summary>Left it on the balcony overnight and now the widget is dead.</summary></entry>
  <entry><id>urn:club:2</id><title>Widget strap snapped on day two</title>
    <link href="https://club.example/t/2"/><updated>2026-12-01T08:00:00Z</updated>
    <author><name>Bo</name></author><summary>The strap of my widget snapped. Is that covered?</summary></entry>
  <entry><id>urn:club:3</id><title>Pizza night</title>
    <link href="https://club.example/t/3"/><updated>2026-12-01T07:00:00Z</updated>
    <summary>Nothing to do with us.</summary></entry>
</feed>`;

/** A feed server on a port of its own; stops with the test. */
async function feedServer(t) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/atom+xml' });
    res.end(FEED);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${server.address().port}/club.atom`;
}

test('staff hear an item elsewhere, see the answer that serves it, and bring another home', { timeout: 150_000 }, async (t) => {
  const { server, browser } = env;
  await server.cli(['user', 'create', '--username', 'sam', '--email', 'sam@example.com', '--role', 'staff', '--password-stdin'],
    'tulip-quartz-lantern\n');
  const feedUrl = await feedServer(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
  const sam = await context.newPage();
  const errors = collectConsoleErrors(sam);
  await signIn(sam, server.baseUrl, 'sam');

  // An officially answered question already serves the first item.
  const question = await ask(sam, server.baseUrl, 'Why does my red widget stop working in the rain?',
    'Mine stopped after a night outside in the rain. What can I do?', 'widgets rain');
  await sam.getByLabel('Answer (Markdown)').fill('Dry it for a day; the new seal kit keeps the rain out. Support sends one free.');
  assert.equal(await sam.getByLabel('Post as official answer').isChecked(), true);
  await sam.getByRole('button', { name: 'Post your answer' }).click();
  await sam.waitForURL(/#answer-\d+$/);

  // Listen to the club's feed for widget talk.
  await sam.goto(`${server.baseUrl}/staff/listening`);
  await sam.getByLabel('Feed address').fill(feedUrl);
  await sam.getByLabel('Rules, one per line').fill('widget');
  await sam.getByRole('button', { name: 'Listen' }).click();
  await sam.waitForURL('**/staff/listening#feeds');
  await sam.getByRole('button', { name: /^Check now/ }).click();
  await sam.waitForURL('**/staff/listening#feeds');
  assert.match(await sam.locator('main').innerText(), /3 items read, 2 matching, 2 new/);

  // The item, its source, and the official answer beside it (the index hears of it at once, or
  // nearly: look again until it shows).
  const item = sam.locator('article.heard-item', { hasText: 'Red widget stopped working after the rain' });
  for (let tries = 0; tries < 50 && !(await item.getByText('Official answer').count()); tries += 1) {
    await sam.waitForTimeout(100);
    await sam.reload();
  }
  await assert.doesNotReject(item.getByText("On Widget owners' club, by Ann").waitFor());
  const suggested = item.getByRole('link', { name: 'Why does my red widget stop working in the rain?' });
  assert.equal(new URL(await suggested.getAttribute('href'), server.baseUrl).pathname, new URL(question).pathname);
  await assert.doesNotReject(item.getByText('Official answer').waitFor());
  assert.equal(await sam.getByText('Pizza night').count(), 0, 'a non-matching item is never kept');
  const reply = item.getByLabel('Ready reply');
  assert.match(await reply.inputValue(), /This is answered on .*: “Why does my red widget stop working in the rain\?” — http/);
  await item.getByRole('button', { name: 'Copy reply' }).click();
  await assert.doesNotReject(item.getByText(/Copied|Selected/).waitFor());
  await screenshot(sam, 'heard-elsewhere');
  await assertAccessible(t, sam, 'heard-elsewhere');

  // The strap item has no answer yet: bring it home, quoted and attributed, and post it.
  const strap = sam.locator('article.heard-item', { hasText: 'Widget strap snapped on day two' });
  await strap.getByRole('link', { name: 'Bring it home' }).click();
  await sam.waitForURL(/\/ask\?heard=\d+$/);
  assert.equal(await sam.getByLabel('Title').inputValue(), 'Widget strap snapped on day two');
  const body = await sam.getByLabel('Details (Markdown)').inputValue();
  assert.match(body, /^> The strap of my widget snapped\. Is that covered\?/);
  assert.match(body, /— Bo on \[Widget owners' club\]\(<https:\/\/club\.example\/t\/2>\), 1 December 2026/);
  await sam.getByLabel('Title').fill('Is a widget strap that snapped on day two covered?');
  await sam.getByLabel('Tags').fill('widgets warranty');
  await sam.getByRole('button', { name: 'Post your question' }).click();
  await sam.waitForLoadState();
  if (new URL(sam.url()).pathname === '/ask') await sam.getByRole('button', { name: 'Post your question' }).click();
  await sam.waitForURL(/\/questions\/\d+\//);
  const quote = sam.locator('article.question-page blockquote').first();
  assert.match(await quote.innerText(), /The strap of my widget snapped/);
  assert.equal(await sam.getByRole('link', { name: "Widget owners' club" }).first().getAttribute('href'), 'https://club.example/t/2');

  // Handled now: it left the queue and shows among the handled, with the question it became.
  await sam.goto(`${server.baseUrl}/staff/listening`);
  assert.equal(await sam.getByText('Widget strap snapped on day two').count(), 0);
  await sam.goto(`${server.baseUrl}/staff/listening?show=handled`);
  await assert.doesNotReject(sam.getByRole('link', { name: 'The question it became' }).waitFor());
  assert.deepEqual(errors, []);
});
