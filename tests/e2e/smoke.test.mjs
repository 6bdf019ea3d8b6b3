// Smoke tests: the home page renders cleanly (no console/page errors, no
// serious accessibility problems) on desktop, phone and in dark mode, and an
// unknown path gives a 404 inside the site layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectConsoleErrors, formatViolations, runAxe, screenshot, withServerAndBrowser,
} from './harness.mjs';

const env = withServerAndBrowser();

// Each case gets its own browser context (fresh cookies, storage, viewport).
const homeCases = [
  { name: 'home-desktop', options: { viewport: { width: 1280, height: 800 } } },
  // isMobile makes Chromium honour <meta name=viewport>, as a real phone does.
  { name: 'home-phone', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
  { name: 'home-dark', options: { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' } },
];

for (const { name, options } of homeCases) {
  test(`${name}: home page renders cleanly`, { timeout: 60_000 }, async (t) => {
    const context = await env.browser.newContext(options);
    t.after(() => context.close());
    const page = await context.newPage();
    const errors = collectConsoleErrors(page);

    const response = await page.goto(`${env.server.baseUrl}/`, { waitUntil: 'networkidle' });
    // Screenshot first so there is something to look at when an assertion fails.
    await screenshot(page, name);

    assert.equal(response.status(), 200, 'GET / status');
    assert.ok(await page.evaluate(() => document.documentElement.lang), '<html> has a lang attribute');
    assert.ok(await page.locator('h1').count() >= 1, 'page has an <h1>');
    assert.ok(await page.locator('main, [role="main"]').count() >= 1, 'page has a <main> landmark');

    // Run axe before checking errors so its report is printed either way.
    const violations = await runAxe(page);
    if (violations.length) t.diagnostic(`axe violations on ${name}:\n${formatViolations(violations)}`);
    assert.equal(errors.length, 0, `console errors / page errors:\n${errors.join('\n')}`);
    const severe = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.equal(severe.length, 0, `serious/critical axe violations:\n${formatViolations(severe)}`);
  });
}

test('unknown path: 404 inside the site layout', { timeout: 60_000 }, async (t) => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  t.after(() => context.close());
  const page = await context.newPage();

  const response = await page.goto(`${env.server.baseUrl}/no-such-page`, { waitUntil: 'networkidle' });
  await screenshot(page, 'not-found');

  assert.equal(response.status(), 404, 'GET /no-such-page status');
  assert.ok(await page.locator('main, [role="main"]').count() >= 1, '404 page has a <main> landmark');
  const linksHome = await page.evaluate(() => [...document.querySelectorAll('a[href]')]
    .some((a) => {
      const url = new URL(a.href, document.baseURI);
      return url.origin === location.origin && url.pathname === '/';
    }));
  assert.ok(linksHome, '404 page links back to /');
});
