// Single sign-on in a real browser against a real OpenID provider (tests/oidc/provider.py): a
// visitor signs in with the "Sign in with Acme" button, authorizes at the provider's own page,
// comes back signed in as a new member, answers a question, and finds the provider in Settings
// (no Unlink button: it is her only way in); signing out offers the provider's sign-out too.
// With password sign-in off, the sign-in page offers only the provider.
//
// Runs when GUIDEPOST_TEST_OIDC=1 or GUIDEPOST_TEST_OIDC_PYTHON is set (CI sets both); then a
// provider that cannot start fails these tests rather than skipping them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, screenshot, startServer } from './harness.mjs';
import { PASSWORD, answer, ask, assertAccessible, signIn } from './forum.mjs';
import {
  blockProviderCdn, providerWanted, startProvider, writeSsoConfig,
} from './oidc.mjs';

const skip = providerWanted ? false
  : 'set GUIDEPOST_TEST_OIDC=1 and GUIDEPOST_TEST_OIDC_PYTHON (a Python with oidc-provider-mock) to run';

const DANA = {
  email: 'dana@example.com',
  email_verified: true,
  preferred_username: 'dana',
  name: 'Dana Scully',
};
const TITLE = 'Why does my lantern flicker after a firmware update?';

const env = { provider: null, config: null, server: null, browser: null };
before(async () => {
  if (skip) return;
  env.provider = await startProvider();
  env.config = await writeSsoConfig(env.provider);
  env.server = await startServer({ args: ['--config', env.config.file] });
  env.browser = await launchBrowser();
});
after(async () => {
  await env.browser?.close();
  await env.server?.stop();
  await env.provider?.stop();
  await env.config?.remove();
});

/** A browser context that cannot reach the network beyond 127.0.0.1 (the provider's CDN). */
async function newContext(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await blockProviderCdn(context);
  return context;
}

/**
 * Console errors and uncaught exceptions on Guidepost's pages (CSP violations included); the
 * provider's pages are not ours to judge.
 */
function collectGuidepostErrors(page, baseUrl) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && page.url().startsWith(baseUrl)) errors.push(`console.error on ${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => {
    if (page.url().startsWith(baseUrl)) errors.push(`pageerror on ${page.url()}: ${err.message}`);
  });
  return errors;
}

/**
 * The "Sign in with Acme" control of a Guidepost page: a link or a button. (A link: the site's
 * CSP lets forms post only to the site itself, and Chromium applies that to the redirect that
 * answers the post too, so a form could not send the browser on to the provider.)
 */
function acmeButton(page) {
  const main = page.locator('main');
  return main.getByRole('link', { name: 'Sign in with Acme' }).or(main.getByRole('button', { name: 'Sign in with Acme' }));
}

/**
 * From Guidepost's sign-in page: presses "Sign in with Acme", checks the authorization request
 * the provider receives, and authorizes as `sub` on the provider's own page.
 */
async function authorizeAtProvider(page, { baseUrl, issuer, sub, errors }) {
  const button = acmeButton(page);
  assert.equal(await button.count(), 1, 'the sign-in page has one "Sign in with Acme"');
  await button.click();
  try {
    await page.waitForURL((url) => url.href.startsWith(`${issuer}/oauth2/authorize`), { timeout: 15_000 });
  } catch (err) {
    throw new Error(`"Sign in with Acme" did not lead to the provider's authorization page; ` +
      `the browser is at ${page.url()}\n${errors.join('\n')}`, { cause: err });
  }
  const query = new URL(page.url()).searchParams;
  assert.equal(query.get('response_type'), 'code');
  assert.equal(query.get('client_id'), 'guidepost-e2e');
  assert.equal(query.get('redirect_uri'), `${baseUrl}/auth/sso/acme/callback`);
  assert.match(query.get('scope') ?? '', /(^| )openid( |$)/);
  assert.equal(query.get('code_challenge_method'), 'S256', 'PKCE with S256');
  assert.match(query.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.ok((query.get('state') ?? '').length >= 16, 'a state of some length');
  assert.ok((query.get('nonce') ?? '').length >= 16, 'a nonce of some length');

  await page.locator('input[name="sub"]').fill(sub);
  await page.getByRole('button', { name: 'Authorize' }).click();
}

test('a visitor signs in with the OpenID provider and answers a question', { skip, timeout: 120_000 }, async (t) => {
  const { server, provider, browser } = env;

  // Ann, a password member, asks the question Dana will answer.
  await server.cli(['user', 'create', '--username', 'ann', '--email', 'ann@example.com', '--password-stdin'],
    `${PASSWORD}\n`);
  const annContext = await newContext(browser);
  const danaContext = await newContext(browser);
  t.after(() => Promise.all([annContext.close(), danaContext.close()]));
  const ann = await annContext.newPage();
  await signIn(ann, server.baseUrl, 'ann');
  const question = await ask(ann, server.baseUrl, TITLE,
    'Since version 2.3 the light flickers every few seconds, even on a full battery.', 'lanterns firmware');

  await provider.setUser('dana-0001', DANA);

  // Dana, not yet a member, finds the question and follows "Sign in ... to answer".
  const page = await danaContext.newPage();
  const errors = collectGuidepostErrors(page, server.baseUrl);
  await page.goto(question);
  await page.locator('main').getByRole('link', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/login');
  await screenshot(page, 'sso-login');
  await assertAccessible(t, page, 'sso-login');

  await authorizeAtProvider(page, { baseUrl: server.baseUrl, issuer: provider.issuer, sub: 'dana-0001', errors });

  // Back at Guidepost: the callback signs her in and returns her to the question.
  await page.waitForURL((url) => url.href.startsWith(server.baseUrl) && !url.pathname.startsWith('/auth/'), { timeout: 15_000 })
    .catch((err) => { throw new Error(`not returned to Guidepost; the browser is at ${page.url()}`, { cause: err }); });
  assert.equal(page.url(), question, 'back on the question she came from');
  assert.match(await page.locator('.flash').innerText(), /Signed in as Dana Scully\./);
  const account = page.getByRole('navigation', { name: 'Account' });
  assert.equal(await account.getByRole('link', { name: 'Dana Scully' }).count(), 1, 'the header shows her name');
  assert.equal(await account.getByRole('link', { name: 'Sign in' }).count(), 0);
  await screenshot(page, 'sso-signed-in');

  // Her address is confirmed by the provider (email_verified), so she may answer at once.
  const body = 'Roll back to 2.2 from the settings menu; 2.3 changed the PWM frequency of the LED driver.';
  await answer(page, question, body);
  const posted = page.getByRole('article', { name: 'Answer by Dana Scully' });
  assert.equal(await posted.count(), 1);
  assert.match(await posted.innerText(), /PWM frequency/);
  const profile = await posted.getByRole('link', { name: 'Dana Scully' }).first().getAttribute('href');
  assert.match(profile, /^\/users\/\d+\/dana$/, 'her username comes from preferred_username');
  await screenshot(page, 'sso-answered');

  // Settings → Sign-in lists the provider; it is her only way in, so it cannot be unlinked.
  await account.getByRole('link', { name: 'Dana Scully' }).click();
  await page.waitForURL('**/settings');
  await page.getByRole('link', { name: /Manage sign-in/ }).click();
  await page.waitForURL('**/settings/sign-in');
  const row = page.getByRole('row', { name: /Acme/ });
  assert.match(await row.innerText(), /dana@example\.com/);
  await screenshot(page, 'sso-settings-sign-in');
  await assertAccessible(t, page, 'sso-settings-sign-in');
  assert.equal(await row.getByRole('button', { name: 'Unlink Acme' }).count(), 0, 'no Unlink button for the only way in');
  assert.match(await row.innerText(), /Your only way in/);

  // Everyone sees the answer as hers.
  const visitor = await browser.newPage();
  t.after(() => visitor.close());
  await visitor.goto(question);
  assert.match(await visitor.getByRole('article', { name: 'Answer by Dana Scully' }).innerText(), /PWM frequency/);

  assert.deepEqual(errors, []);
});

test('signing out offers to sign out of the provider too', { skip, timeout: 90_000 }, async (t) => {
  const { server, provider, browser } = env;
  await provider.setUser('fox-0002', {
    email: 'fox@example.com', email_verified: true, preferred_username: 'fox', name: 'Fox Mulder',
  });
  const context = await newContext(browser);
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = collectGuidepostErrors(page, server.baseUrl);

  await page.goto(`${server.baseUrl}/login`);
  await authorizeAtProvider(page, { baseUrl: server.baseUrl, issuer: provider.issuer, sub: 'fox-0002', errors });
  await page.waitForURL(`${server.baseUrl}/`, { timeout: 15_000 });
  assert.match(await page.locator('.flash').innerText(), /Signed in as Fox Mulder\./);

  await page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForLoadState();
  assert.ok(page.url().startsWith(server.baseUrl), `signed out on Guidepost, at ${page.url()}`);
  const account = page.getByRole('navigation', { name: 'Account' });
  assert.equal(await account.getByRole('link', { name: 'Sign in' }).count(), 1, 'signed out of Guidepost');
  const providerSignOut = page.locator('main').getByText('Sign out of Acme too');
  await providerSignOut.waitFor({ timeout: 5_000 });
  await screenshot(page, 'sso-signed-out');
  await assertAccessible(t, page, 'sso-signed-out');

  // RP-initiated logout: the provider's end-session page, then back to the site's home page.
  await providerSignOut.click();
  await page.waitForURL((url) => url.href.startsWith(`${provider.issuer}/oauth2/end_session`), { timeout: 15_000 });
  const query = new URL(page.url()).searchParams;
  const back = query.get('post_logout_redirect_uri');
  assert.equal(back, `${server.baseUrl}/`);
  await page.getByRole('button', { name: 'End session' }).click();
  await page.waitForURL((url) => url.href.startsWith(`${server.baseUrl}/`), { timeout: 15_000 });
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal(await account.getByRole('link', { name: 'Sign in' }).count(), 1);

  assert.deepEqual(errors, []);
});

test('with password sign-in off, the sign-in page offers only the provider', { skip, timeout: 60_000 }, async (t) => {
  const server = await startServer({
    args: ['--config', env.config.file],
    env: { GUIDEPOST_PASSWORD_SIGN_IN: 'false' },
  });
  t.after(() => server.stop());
  const context = await newContext(env.browser);
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = collectGuidepostErrors(page, server.baseUrl);

  const response = await page.goto(`${server.baseUrl}/login`);
  assert.equal(response.status(), 200);
  assert.equal(await acmeButton(page).count(), 1);
  assert.equal(await page.locator('input[type="password"]').count(), 0, 'no password field');
  assert.equal(await page.locator('form[action="/login"]').count(), 0, 'no password sign-in form');
  await screenshot(page, 'sso-only-login');
  await assertAccessible(t, page, 'sso-only-login');
  assert.deepEqual(errors, []);
});
