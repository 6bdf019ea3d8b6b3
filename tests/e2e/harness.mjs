// Helpers for Guidepost's browser end-to-end tests: start the real server on
// a free port with a throwaway data dir, drive Debian's headless Chromium via
// playwright-core, collect console errors, run axe-core, save screenshots.
import { spawn } from 'node:child_process';
import { after, before } from 'node:test';
import fs from 'node:fs';
import { mkdtemp, rm, mkdir, access, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const artifactsDir = path.join(here, 'artifacts');

const CHROMIUM = process.env.GUIDEPOST_CHROMIUM || '/usr/bin/chromium';
const LOG_LIMIT = 256 * 1024; // keep only the tail of the server's output

// Servers not yet stopped, so they are killed (and their dirs removed) however
// this process ends.
const live = new Set();
function killAllSync() {
  for (const s of live) {
    try { s.child.kill('SIGKILL'); } catch { /* already gone */ }
    try { fs.rmSync(s.dataDir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
  live.clear();
}
process.on('exit', killAllSync);
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.once(sig, () => { killAllSync(); process.exit(code); });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Start `guidepost serve` on 127.0.0.1:<free port> with a fresh data dir and
 * wait until GET /readyz answers 200. Resolves to { baseUrl, logs(), stop() }.
 * The server's output is written to artifacts/server.log when it stops.
 * `args` are global flags put before the command, for `serve` and for `cli()`
 * alike (e.g. `['--config', file]`).
 */
export async function startServer({ readyTimeoutMs = 30_000, env = {}, args = [] } = {}) {
  const bin = process.env.GUIDEPOST_BIN || path.join(repoRoot, 'target', 'debug', 'guidepost');
  try {
    await access(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`server binary not found or not executable: ${bin}\n` +
      'Build it with `cargo build` at the repo root, or set GUIDEPOST_BIN.');
  }

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guidepost-e2e-'));
  const serverEnv = {
    ...process.env,
    GUIDEPOST_BIND: `127.0.0.1:${port}`,
    GUIDEPOST_DATA_DIR: dataDir,
    GUIDEPOST_DATABASE_URL: `sqlite://${dataDir}/guidepost.db`,
    GUIDEPOST_BASE_URL: baseUrl,
    // The browser fills forms faster than any person; tests/anti_spam.rs covers the robot trap.
    GUIDEPOST_MIN_FORM_SECONDS: '0',
    // Members made by a test start at reputation 1; tests/privileges.rs covers the reputation
    // gates, so here they may comment, flag, vote down, review and edit (closing keeps its gate).
    GUIDEPOST_REPUTATION_TO_FLAG: '0',
    GUIDEPOST_REPUTATION_TO_COMMENT: '0',
    GUIDEPOST_REPUTATION_TO_VOTE_DOWN: '0',
    GUIDEPOST_REPUTATION_TO_REVIEW: '0',
    GUIDEPOST_REPUTATION_TO_EDIT: '0',
    RUST_LOG: 'warn',
    ...env,
  };
  const child = spawn(bin, [...args, 'serve'], {
    cwd: repoRoot, // like `cargo run`, in case the server looks for files relative to the repo
    stdio: ['ignore', 'pipe', 'pipe'],
    env: serverEnv,
  });
  const entry = { child, dataDir };
  live.add(entry);

  let log = '';
  const append = (chunk) => {
    log += chunk;
    if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT);
  };
  child.stdout.setEncoding('utf8').on('data', append);
  child.stderr.setEncoding('utf8').on('data', append);

  let ready = false; // before readiness, failures are reported by the thrown error
  let stopping = false;
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    const onGone = (code, signal) => {
      if (exitInfo) return;
      exitInfo = { code, signal };
      if (ready && !stopping) {
        process.stderr.write(`[harness] server exited unexpectedly (code ${code}, signal ${signal})\n` +
          `--- server output ---\n${log}\n--- end server output ---\n`);
      }
      resolve(exitInfo);
    };
    child.on('close', onGone);
    child.on('error', (err) => {
      append(`\n[harness] ${err.message}\n`);
      if (child.pid === undefined) onGone(null, null); // never started: no 'close' to wait for
    });
  });

  async function stop() {
    if (stopping) return exited;
    stopping = true;
    if (!exitInfo) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    live.delete(entry);
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(artifactsDir, { recursive: true });
    await writeFile(path.join(artifactsDir, 'server.log'), log);
    return exitInfo;
  }

  // Poll /readyz; fail fast if the process dies, with its output in the error.
  const deadline = Date.now() + readyTimeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    if (exitInfo) {
      await stop();
      throw new Error(`server exited before becoming ready (code ${exitInfo.code}, ` +
        `signal ${exitInfo.signal})\n--- server output ---\n${log}\n--- end server output ---`);
    }
    try {
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) { ready = true; break; }
      lastProblem = `/readyz answered ${res.status}`;
    } catch (err) {
      lastProblem = err.cause?.code || err.message;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server not ready after ${readyTimeoutMs} ms (${lastProblem})\n` +
        `--- server output ---\n${log}\n--- end server output ---`);
    }
    await sleep(100);
  }

  // Runs a `guidepost` command against the same database, as an operator would on the server.
  const cli = (command, input = '') => new Promise((resolve, reject) => {
    const run = spawn(bin, [...args, ...command], { cwd: repoRoot, env: serverEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    run.stdout.on('data', (chunk) => { out += chunk; });
    run.stderr.on('data', (chunk) => { out += chunk; });
    run.on('error', reject);
    run.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`guidepost ${command.join(' ')} failed:\n${out}`))));
    run.stdin.end(input);
  });

  return { baseUrl, dataDir, logs: () => log, stop, cli };
}

/** Launch Debian's Chromium headless; playwright gives it a temporary profile. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * Record console messages of type "error" (this includes CSP violations and
 * failed subresource loads) and uncaught page errors. Returns a live array of
 * strings; call before navigating.
 */
export function collectConsoleErrors(page) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const { url, lineNumber } = msg.location();
    errors.push(`console.error: ${msg.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.stack || err.message}`));
  return errors;
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Run axe-core on the current page and return its violations (all impacts).
 * The site's CSP forbids inline scripts, so addScriptTag would be blocked;
 * page.evaluate goes through CDP Runtime.evaluate, which CSP does not apply to
 * (checked against a `script-src 'self'` page: no bypassCSP context needed).
 */
export async function runAxe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ['violations'] });
    return results.violations;
  });
}

/** One line per violation plus its first few offending nodes. */
export function formatViolations(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').join(' ')}`);
    const more = v.nodes.length > 5 ? [`    ... and ${v.nodes.length - 5} more`] : [];
    return [`[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`, ...nodes, ...more].join('\n');
  }).join('\n');
}

/** Save a full-page PNG to tests/e2e/artifacts/<name>.png; returns the path. */
export async function screenshot(page, name) {
  await mkdir(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// One server and one browser for a whole test file, started before its first test and stopped
// after its last: `const env = withServerAndBrowser();` then `env.server`, `env.browser`.
// `serverOptions` go to startServer (e.g. `{ env: { GUIDEPOST_...: '0' } }`).
export function withServerAndBrowser(serverOptions = {}) {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer(serverOptions);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}
