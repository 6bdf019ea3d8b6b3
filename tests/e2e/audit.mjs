// The HTML and Lighthouse audit: starts the real server, fills it with a realistic thread through
// the browser (a question with code, a list and a link, a member's answer, an official answer, a
// comment, an acceptance), saves the HTML of the key pages as an anonymous visitor, a member and
// staff, checks every page with the Nu HTML Checker (vnu.jar, needs Java), then runs Lighthouse's
// SEO and accessibility audits (mobile, the stricter form factor) on the home page and the
// question page. Fails on any validator error, SEO below 100 or accessibility below 95.
//
//   cd tests/e2e && npm ci && node audit.mjs      (after `cargo build --bin guidepost`)
//
// GUIDEPOST_BIN and GUIDEPOST_CHROMIUM work as for the browser tests; GUIDEPOST_AUDIT_KEEP=1
// keeps the saved pages and Lighthouse reports in artifacts/audit/ for a look.
// Not a *.test.mjs file on purpose: it needs Java, runs Lighthouse's own Chromium, and takes a
// minute, so CI runs it as a step of its own after the browser tests, with its own verdict.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { artifactsDir, launchBrowser, startServer } from './harness.mjs';
import { answer, ask as askAt, PASSWORD, signIn } from './forum.mjs';
import { joinAndSignIn } from './mail.mjs';

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.GUIDEPOST_CHROMIUM || '/usr/bin/chromium';
const BAR = { seo: 100, accessibility: 95 };
const TITLE = 'Why does my widget reset its clock after a power cut?';
const QUESTION_BODY = `Since the storm last week my **W-200 widget** forgets the time whenever the power drops.

# What I tried

So far:

- a new CR2032 backup cell
- a factory reset from the settings menu
- the newest firmware from the [download page](https://example.com/downloads)

The log shows this after every restart:

\`\`\`text
rtc: backup domain lost, clock reset to 2000-01-01
\`\`\`

Is the clock chip broken, or is there a setting I missed?`;
const ANSWER_BODY = `The backup cell is probably fine: the *holder* is the usual culprit on the W-200.

1. Unplug the widget and take out the cell.
2. Bend the contact tab up a little so it presses on the cell.
3. Check with \`clock --status\` after a restart.

If the log still says \`backup domain lost\`, the board needs a repair.`;
const OFFICIAL_BODY = `Widgets made before 2021 shipped with a holder that loosens over time. Write to support with
your serial number and we send a new holder free of charge; see [the repair page](https://example.com/repair).`;

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (message) => process.stdout.write(`[audit ${elapsed()}] ${message}\n`);

function run(cmd, args, { env = process.env, input = '' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}


// Builds the thread the audited pages show; returns its paths and the signed-in browser contexts.
async function populate(server, browser) {
  const { baseUrl, dataDir } = server;
  for (const [username, role] of [['ada', 'admin'], ['sam', 'staff']]) {
    await server.cli(['user', 'create', '--username', username, '--email', `${username}@example.com`, '--role', role,
      '--password-stdin'], `${PASSWORD}\n`);
  }
  // An account without a password, so the admin's user list shows its Invite form.
  await server.cli(['user', 'create', '--username', 'ivy', '--email', 'ivy@example.com']);
  const contexts = await Promise.all([1, 2, 3, 4].map(() => browser.newContext({ baseURL: baseUrl })));
  const [ann, bob, sam, ada] = await Promise.all(contexts.map((c) => c.newPage()));
  await joinAndSignIn(ann, baseUrl, dataDir, 'ann');
  await joinAndSignIn(bob, baseUrl, dataDir, 'bob');
  await signIn(sam, baseUrl, 'sam');
  await signIn(ada, baseUrl, 'ada');

  // Pages are audited by path on whatever port the server got.
  const question = new URL(await askAt(ann, baseUrl, TITLE, QUESTION_BODY, 'widgets power clock')).pathname;
  // A second, unanswered question, so lists, the tag page and the staff queue are not empty.
  const unanswered = new URL(await askAt(bob, baseUrl, 'How do I pair two widgets with one remote control?',
    'The manual only shows one widget per remote. I have two in the same room and want both on one remote.',
    'widgets remote')).pathname;

  await answer(bob, question, ANSWER_BODY);
  await answer(sam, question, OFFICIAL_BODY);
  const official = new URL(sam.url()).hash.replace('#answer-', '');

  await bob.goto(question);
  await bob.locator('#question').getByRole('button', { name: /Vote up/ }).click();
  await bob.locator('#question .score', { hasText: '1' }).waitFor(); // the vote is sent in place
  await bob.locator('#question .comment-form summary').click();
  await bob.locator('#question').getByLabel(/Your comment/).fill('Does it happen with the `eco` mode off too? See the manual.');
  await bob.locator('#question').getByRole('button', { name: 'Add comment' }).click();
  await bob.locator('#question .comments li').first().waitFor();
  // A flag, so the moderators' queue has something in it.
  await bob.locator('#question .post-foot .flag-form summary').click();
  await bob.locator('#question .post-foot .flag-form').getByLabel('Off-topic').check();
  await bob.locator('#question .post-foot .flag-form').getByRole('button', { name: 'Send flag' }).click();
  await bob.locator('.flash', { hasText: 'a moderator will look' }).waitFor();

  await ann.goto(question);
  await ann.locator('article.answer', { hasText: 'usual culprit' }).getByRole('button', { name: 'Accept this answer' }).click();
  await ann.waitForURL(/#answer-\d+$/);

  // The asker adds to her question, so it has a history page.
  await ann.goto(question);
  await ann.locator('#question').getByRole('link', { name: 'Edit' }).click();
  await ann.getByLabel('Text (Markdown)').fill(`${QUESTION_BODY}\n\n**Update:** a fresh cell from another brand changes nothing.`);
  await ann.getByLabel('Why are you editing?').fill('added what I tried since');
  await ann.getByRole('button', { name: 'Save edit' }).click();
  await ann.waitForURL((url) => url.pathname === question);
  const history = await ann.locator('#question').getByRole('link', { name: 'history' }).getAttribute('href');
  const edit = history.replace(/revisions$/, 'edit');

  // A search with results and one without, so /staff/gaps has a row.
  await fetch(`${baseUrl}/search?q=clock+reset`);
  await fetch(`${baseUrl}/search?q=teleporter+warranty`);

  const profile = await ann.locator('#question .byline-card a').first().getAttribute('href');
  // The embed pages frame these by id.
  const embeds = { question: question.split('/')[2], unanswered: unanswered.split('/')[2], official };
  return {
    question, profile, history, edit, embeds,
    contexts: { ann: contexts[0], sam: contexts[2], ada: contexts[3] },
    close: () => Promise.all(contexts.map((c) => c.close())),
  };
}

// Waits until the search index has the question (it is fed in the background).
async function waitForSearch(baseUrl, q, questionPath) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const html = await (await fetch(`${baseUrl}/search?q=${encodeURIComponent(q)}`)).text();
    const id = questionPath.split('/')[2];
    // Result links go through the click recorder, named by a signed log id (`123.abc-_`).
    if (new RegExp(`href="(/search/click/[^/"]+/${id}|${questionPath})"`).test(html)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the search for ${q} never found the question`);
}

// With GUIDEPOST_AUDIT_KEEP=1, screenshots of the two Lighthouse pages as a visitor sees them.
async function screenshots(browser, baseUrl, thread, dir) {
  for (const [name, options] of [['desktop', { viewport: { width: 1280, height: 900 } }],
    ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }]]) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    for (const [what, pagePath] of [['home', '/'], ['question', thread.question]]) {
      await page.goto(`${baseUrl}${pagePath}`);
      await page.screenshot({ path: path.join(dir, `${what}-${name}.png`), fullPage: true });
    }
    await context.close();
  }
}

async function savePages(server, thread, dir) {
  const { baseUrl } = server;
  const tag = 'widgets';
  const pages = [
    // [name, path, who, expected status, text it must hold (optional)]
    ['home', '/', null, 200],
    ['questions', '/questions', null, 200],
    ['questions-votes', '/questions?sort=votes', null, 200],
    ['question', thread.question, null, 200],
    ['tags', '/tags', null, 200],
    ['tag', `/tags/${tag}`, null, 200],
    ['user', thread.profile, null, 200],
    ['badges', '/badges', null, 200],
    ['badge', '/badges/first-answer', null, 200],
    ['tag-badge', `/badges/tag-bronze?tag=${tag}`, null, 200],
    ['users', '/users', null, 200],
    ['users-tag', `/users?tag=${tag}`, null, 200],
    ['user-reputation', `${thread.profile}/reputation`, null, 200],
    ['privileges', '/help/privileges', null, 200],
    ['member-privileges', '/help/privileges', 'ann', 200],
    ['question-history', thread.history, null, 200],
    ['search', '/search?q=clock+reset', null, 200],
    ['search-empty', '/search?q=teleporter+warranty', null, 200],
    ['login', '/login', null, 200],
    ['signup', '/signup', null, 200],
    ['password-forgot', '/password/forgot', null, 200],
    ['api-reference', '/api', null, 200],
    ['not-found', '/no/such/page', null, 404],
    ['member-ask', '/ask', 'ann', 200],
    ['member-settings', '/settings', 'ann', 200],
    ['member-api-tokens', '/settings/api-tokens', 'ann', 200],
    ['member-sign-in-methods', '/settings/sign-in', 'ann', 200],
    ['member-notifications', '/notifications', 'ann', 200],
    ['member-question', thread.question, 'ann', 200],
    ['member-edit', thread.edit, 'ann', 200],
    ['staff-question', thread.question, 'sam', 200],
    ['staff-dashboard', '/staff', 'sam', 200],
    ['staff-queue', '/staff/queue', 'sam', 200],
    ['staff-gaps', '/staff/gaps', 'sam', 200],
    ['staff-insights', '/staff/insights', 'sam', 200],
    ['staff-listening', '/staff/listening', 'sam', 200],
    ['staff-experts', '/staff/experts', 'sam', 200],
    ['staff-my-work', '/staff/my-work', 'sam', 200],
    ['staff-tag', `/tags/${tag}`, 'sam', 200],
    ['admin-tag', `/tags/${tag}`, 'ada', 200],
    ['admin-users', '/admin/users', 'ada', 200],
    ['admin-settings', '/admin/settings', 'ada', 200],
    ['admin-api-tokens', '/admin/api-tokens', 'ada', 200],
    ['admin-webhooks', '/admin/webhooks', 'ada', 200],
    ['mod-flags', '/mod/flags', 'ada', 200],
    ['mod-review', '/mod/review', 'ada', 200],
    ['mod-log', '/mod/log', 'ada', 200],
    ['review-suggested-edits', '/review/suggested-edits', 'ada', 200],
    // The pages other sites frame: a question's card with its official answer, an answer's
    // card, a card with no answer yet, and the ask box empty and with a title it finds.
    ['embed-question', `/embed/questions/${thread.embeds.question}`, null, 200, 'Official answer'],
    ['embed-answer', `/embed/answers/${thread.embeds.official}`, null, 200, 'Official answer'],
    ['embed-question-unanswered', `/embed/questions/${thread.embeds.unanswered}`, null, 200, 'No answer yet'],
    ['embed-ask', `/embed/ask?tags=${tag}`, null, 200, 'Your question'],
    ['embed-ask-suggestions', `/embed/ask?tags=${tag}+clock&title=widget+clock+resets+after+a+power+cut`, null, 200,
      'These may already answer you'],
  ];
  const saved = [];
  const problems = [];
  for (const [name, pagePath, who, expected, mustHold] of pages) {
    let status;
    let body;
    if (who) {
      const res = await thread.contexts[who].request.get(pagePath, { maxRedirects: 0 });
      status = res.status();
      body = await res.text();
    } else {
      const res = await fetch(`${baseUrl}${pagePath}`, { redirect: 'manual' });
      status = res.status;
      body = await res.text();
    }
    if (status !== expected) problems.push(`${name} (${pagePath}${who ? ` as ${who}` : ''}): status ${status}, expected ${expected}`);
    else if (mustHold && !body.includes(mustHold)) problems.push(`${name} (${pagePath}): does not show "${mustHold}"`);
    const file = path.join(dir, `${name}.html`);
    await writeFile(file, body);
    saved.push({ name, path: pagePath, who, file });
  }
  return { saved, problems };
}

async function validate(saved) {
  const jar = String(require('vnu-jar')); // the package exports the jar's path
  const { code, stdout, stderr } = await run('java', ['-Xss4m', '-jar', jar, '--errors-only', '--format', 'json',
    ...saved.map((s) => s.file)]);
  let report;
  try {
    report = JSON.parse(stderr.trim() || stdout.trim() || '{"messages":[]}');
  } catch {
    throw new Error(`the validator did not answer in JSON (exit ${code}):\n${stderr}${stdout}`);
  }
  const byFile = new Map(saved.map((s) => [s.file, s]));
  const errors = report.messages.filter((m) => m.type === 'error' || m.subType === 'fatal');
  const lines = errors.map((m) => {
    const file = decodeURIComponent(new URL(m.url).pathname);
    const page = byFile.get(file);
    const where = page ? `${page.name} (${page.path}${page.who ? ` as ${page.who}` : ''})` : file;
    const line = m.lastLine ?? m.firstLine ?? '?';
    const extract = m.extract ? `\n      ${m.extract.replace(/\n/g, '⏎').trim()}` : '';
    return `  ${where} line ${line}: ${m.message}${extract}`;
  });
  if (!errors.length && code !== 0) throw new Error(`the validator failed (exit ${code}):\n${stderr}${stdout}`);
  const failedPages = new Set(errors.map((m) => decodeURIComponent(new URL(m.url).pathname)));
  return { lines, failedPages };
}

async function lighthouse(url, name, outDir) {
  const cli = path.join(path.dirname(require.resolve('lighthouse/package.json')), 'cli', 'index.js');
  const out = path.join(outDir, `lighthouse-${name}.json`);
  const { code, stdout, stderr } = await run(process.execPath, [cli, url,
    '--only-categories=seo,accessibility', '--output=json', `--output-path=${out}`, '--quiet',
    `--chrome-path=${CHROMIUM}`, '--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run',
  ], { env: { ...process.env, CHROME_PATH: CHROMIUM } });
  if (code !== 0) throw new Error(`lighthouse failed on ${url} (exit ${code}):\n${stderr}${stdout}`);
  const report = JSON.parse(await readFile(out, 'utf8'));
  if (report.runtimeError) throw new Error(`lighthouse on ${url}: ${report.runtimeError.code} ${report.runtimeError.message}`);
  const robots = report.audits['robots-txt'];
  if (robots?.scoreDisplayMode === 'notApplicable') {
    log(`  note: Lighthouse's robots-txt audit did not apply on ${name} (no /robots.txt was served)`);
  }
  const results = [];
  for (const [id, bar] of Object.entries(BAR)) {
    const category = report.categories[id];
    const score = Math.round((category.score ?? 0) * 100);
    const failing = category.auditRefs
      .filter((ref) => ref.weight > 0)
      .map((ref) => report.audits[ref.id])
      .filter((a) => a.score !== null && a.score < 1)
      .map((a) => {
        const items = (a.details?.items ?? []).slice(0, 5).map((item) => {
          const node = item.node?.snippet || item.node?.selector || item.source?.url || item.url || '';
          return node ? `\n        ${String(node).slice(0, 200)}` : '';
        }).join('');
        return `      ${a.id}: ${a.title}${a.displayValue ? ` (${a.displayValue})` : ''}${items}`;
      });
    results.push({ page: name, category: id, score, bar, failing, ok: score >= bar });
  }
  return results;
}

async function checkTools() {
  const java = await run('java', ['-version']).catch(() => null);
  if (!java || java.code !== 0) {
    throw new Error('java not found: the Nu HTML Checker needs Java 11 or later (apt-get install -y default-jre-headless)');
  }
  try {
    await access(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set GUIDEPOST_CHROMIUM)`);
  }
}

async function main() {
  await checkTools();
  const keep = process.env.GUIDEPOST_AUDIT_KEEP === '1';
  const dir = keep ? path.join(artifactsDir, 'audit') : await mkdtemp(path.join(os.tmpdir(), 'guidepost-audit-'));
  if (keep) { await rm(dir, { recursive: true, force: true }); await mkdir(dir, { recursive: true }); }
  const failures = []; // messages
  let passed = 0; // checks: one per page validated, one per Lighthouse category
  let failed = 0;
  // The thread's members are minutes old; they count as established here so their links are
  // public at once and the audited pages are the ones visitors see (tests/anti_spam.rs covers
  // the review of new members' links).
  // A single sign-on provider is configured so the sign-in, sign-up and Settings → Sign-in pages
  // are audited with their "Sign in with" buttons; those pages never contact it.
  const config = path.join(dir, 'guidepost.toml');
  await writeFile(config, '[[sso.providers]]\nid = "acme"\nname = "Acme"\nissuer = "https://id.example.com"\nclient_id = "audit"\n');
  const server = await startServer({
    env: { GUIDEPOST_NEW_MEMBER_POSTS: '0', GUIDEPOST_NEW_MEMBER_DAYS: '0', GUIDEPOST_CONFIG: config },
  });
  try {
    const browser = await launchBrowser();
    let thread;
    try {
      thread = await populate(server, browser);
      log(`content created: ${thread.question}`);
      await waitForSearch(server.baseUrl, 'clock reset', thread.question);
      const { saved, problems } = await savePages(server, thread, dir);
      if (keep) await screenshots(browser, server.baseUrl, thread, dir);
      await thread.close();
      for (const p of problems) failures.push(`unexpected status: ${p}`);
      failed += problems.length;
      log(`saved ${saved.length} pages; validating with the Nu HTML Checker`);

      const { lines, failedPages } = await validate(saved);
      passed += saved.length - failedPages.size;
      failed += failedPages.size;
      if (lines.length) {
        failures.push(`Nu HTML Checker: ${lines.length} error(s) on ${failedPages.size} of ${saved.length} pages:\n${lines.join('\n')}`);
      }
      log(`validator: ${saved.length - failedPages.size} of ${saved.length} pages without errors` +
        ` (${saved.map((s) => s.name).join(', ')})`);
    } finally {
      await browser.close();
    }

    for (const [name, pagePath] of [['home', '/'], ['question', thread.question]]) {
      log(`Lighthouse (mobile; SEO, accessibility) on ${pagePath}`);
      for (const r of await lighthouse(`${server.baseUrl}${pagePath}`, name, dir)) {
        log(`  ${r.page}: ${r.category} ${r.score} (needs ${r.bar})`);
        if (r.failing.length) process.stdout.write(`    audits not passed:\n${r.failing.join('\n')}\n`);
        if (r.ok) passed += 1;
        else failed += 1;
        if (!r.ok) failures.push(`Lighthouse ${r.category} on ${r.page} (${pagePath}) is ${r.score}, below ${r.bar}:\n${r.failing.join('\n')}`);
      }
    }
  } finally {
    await server.stop();
    if (!keep) await rm(dir, { recursive: true, force: true });
  }

  if (failures.length) process.stdout.write(`\nAUDIT FAILED\n${failures.join('\n\n')}\n`);
  else log(`all pages valid; Lighthouse bars met${keep ? `; reports in ${dir}` : ''}`);
  // The plain closing line CI reads, whatever the runner.
  process.stdout.write(`audit: ${passed} passed, ${failed} failed\n`);
  return failures.length ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  process.stderr.write(`audit: ${err.stack || err}\n`);
  process.stdout.write('audit: 0 passed, 1 failed\n');
  process.exit(1);
});
