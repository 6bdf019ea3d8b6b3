// A real OpenID provider for the single sign-on browser tests: tests/oidc/provider.py (the
// oidc-provider-mock package from PyPI) on a free port of 127.0.0.1, and the Guidepost
// configuration file that names it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, repoRoot } from './harness.mjs';

/** The Python that has oidc-provider-mock installed (CI makes target/oidc-venv). */
export const providerPython = process.env.GUIDEPOST_TEST_OIDC_PYTHON
  || path.join(repoRoot, 'target', 'oidc-venv', 'bin', 'python');

/**
 * Whether the single sign-on tests are asked for: `GUIDEPOST_TEST_OIDC=1`, or a Python named by
 * `GUIDEPOST_TEST_OIDC_PYTHON`. Once asked for, a provider that cannot start fails them.
 */
export const providerWanted = process.env.GUIDEPOST_TEST_OIDC === '1'
  || Boolean(process.env.GUIDEPOST_TEST_OIDC_PYTHON);

// Providers not yet stopped, killed however this process ends.
const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

/**
 * Starts the provider and waits for its "ready" line. Resolves to
 * { issuer, setUser(sub, claims), logs(), stop() }; rejects (with the provider's output) when it
 * exits first or is not ready within `readyTimeoutMs`.
 */
export async function startProvider({ readyTimeoutMs = 20_000 } = {}) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const script = path.join(repoRoot, 'tests', 'oidc', 'provider.py');
  // The provider stops when its standard input closes, so it never outlives this process.
  const child = spawn(providerPython, [script, '--port', String(port)], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  let log = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (chunk) => { log = (log + chunk).slice(-64 * 1024); });
  const exited = new Promise((resolve) => {
    child.on('close', (code, signal) => { live.delete(child); resolve({ code, signal }); });
    child.on('error', (err) => {
      log += `\n[oidc] ${err.message}\n`;
      if (child.pid === undefined) { live.delete(child); resolve({ code: null, signal: null }); }
    });
  });

  async function stop() {
    if (live.has(child)) {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  }

  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        log = (log + chunk).slice(-64 * 1024);
        if (/^ready$/m.test(out)) { clearTimeout(timer); resolve(); }
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`exited before it was ready (code ${code}, signal ${signal})`));
      });
    });
  } catch (err) {
    await stop();
    throw new Error(`the OpenID provider (${providerPython} ${script}) did not start: ${err.message}\n` +
      'Install it with: python3 -m venv target/oidc-venv && target/oidc-venv/bin/pip install oidc-provider-mock\n' +
      `--- provider output ---\n${log}\n--- end provider output ---`);
  }

  /** Sets the claims the provider gives for `sub` (a JSON object). */
  async function setUser(sub, claims) {
    const res = await fetch(`${issuer}/users/${encodeURIComponent(sub)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(claims),
    });
    if (res.status !== 204) throw new Error(`PUT ${issuer}/users/${sub} answered ${res.status}: ${await res.text()}`);
  }

  return { issuer, setUser, logs: () => log, stop };
}

/**
 * Writes a Guidepost configuration file with `provider` as the SSO provider "acme" into a new
 * temporary folder; `topLevel` is TOML put before the provider's table (e.g.
 * `password_sign_in = false`). Resolves to { file, remove() }.
 */
export async function writeSsoConfig(provider, topLevel = '') {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guidepost-e2e-sso-'));
  const file = path.join(dir, 'guidepost.toml');
  await writeFile(file, [
    topLevel,
    '[[sso.providers]]',
    'id = "acme"',
    'name = "Acme"',
    `issuer = "${provider.issuer}"`,
    'client_id = "guidepost-e2e"',
    'client_secret = "e2e-secret"',
    '',
  ].join('\n'));
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The provider's pages load a stylesheet from a CDN; tests run without the network. */
export async function blockProviderCdn(context) {
  await context.route(/^https:\/\/cdn\.jsdelivr\.net\//, (route) => route.abort());
}
