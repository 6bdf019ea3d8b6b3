// A new visitor signs up, follows the confirmation link from the mail file the server wrote,
// and signs in; every page on the way renders cleanly and passes the accessibility check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectConsoleErrors, formatViolations, runAxe, screenshot, withServerAndBrowser,
} from './harness.mjs';
import { waitForMailLink } from './mail.mjs';

const env = withServerAndBrowser();

async function assertClean(t, page, errors, name) {
  await screenshot(page, name);
  const violations = await runAxe(page);
  if (violations.length) t.diagnostic(`axe violations on ${name}:\n${formatViolations(violations)}`);
  const severe = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(severe.length, 0, `serious/critical axe violations on ${name}:\n${formatViolations(severe)}`);
  assert.equal(errors.length, 0, `console errors on ${name}:\n${errors.join('\n')}`);
}

test('a visitor signs up, confirms the address from the mail and signs in', { timeout: 90_000 }, async (t) => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = collectConsoleErrors(page);

  await page.goto(`${env.server.baseUrl}/`);
  await page.getByRole('link', { name: 'Sign up' }).first().click();
  await page.waitForURL('**/signup');
  await assertClean(t, page, errors, 'signup');

  await page.getByLabel('Username').fill('e2e_fred');
  await page.getByLabel('Email address').fill('fred@example.com');
  await page.getByLabel('Password').fill('tulip-quartz-lantern');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/login');
  assert.match(await page.locator('.flash').innerText(), /We have sent an email/);
  await assertClean(t, page, errors, 'login-after-signup');

  const link = await waitForMailLink(env.server.dataDir, '/verify-email/');
  await page.goto(link);
  assert.equal(await page.locator('h1').innerText(), 'Address confirmed');

  await page.locator('main').getByRole('link', { name: 'sign in' }).click();
  await page.getByLabel('Username or email address').fill('fred@example.com');
  await page.getByLabel('Password').fill('tulip-quartz-lantern');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${env.server.baseUrl}/`);
  assert.match(await page.locator('.flash').innerText(), /Signed in as e2e_fred/);
  await page.getByRole('link', { name: 'e2e_fred' }).click();
  await page.waitForURL('**/settings');
  await assertClean(t, page, errors, 'settings');

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(`${env.server.baseUrl}/`);
  assert.equal(await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign in' }).count(), 1);
});
