// What the browser tests do again and again as members of the forum: sign in, ask, answer, and
// check a page for serious accessibility problems.
import assert from 'node:assert/strict';
import { formatViolations, runAxe } from './harness.mjs';

/** The password every test member gets. */
export const PASSWORD = 'tulip-quartz-lantern';

/** Signs `username` in through the form and waits for the home page. */
export async function signIn(page, baseUrl, username) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username or email address').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/`);
}

/** Fails on serious or critical axe violations; lesser ones become test diagnostics. */
export async function assertAccessible(t, page, name) {
  const violations = await runAxe(page);
  if (violations.length) t.diagnostic(`axe violations on ${name}:\n${formatViolations(violations)}`);
  const severe = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(severe.length, 0, `serious/critical axe violations on ${name}:\n${formatViolations(severe)}`);
}

/** Asks a question from the ask form; returns the new question's URL. */
export async function ask(page, baseUrl, title, body, tags) {
  await page.goto(`${baseUrl}/ask`);
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Details (Markdown)').fill(body);
  await page.getByLabel('Tags').fill(tags);
  await page.getByRole('button', { name: 'Post your question' }).click();
  // With similar questions on file, the form comes back once to show them; posting again goes on.
  await page.waitForLoadState();
  if (new URL(page.url()).pathname === '/ask') {
    await page.getByRole('button', { name: 'Post your question' }).click();
  }
  await page.waitForURL(/\/questions\/\d+\//);
  return page.url();
}

/** Answers the question at `url` and waits for the answer's anchor. */
export async function answer(page, url, body) {
  await page.goto(url);
  await page.getByLabel('Answer (Markdown)').fill(body);
  await page.getByRole('button', { name: 'Post your answer' }).click();
  await page.waitForURL(/#answer-\d+$/);
}
