// Reading the mail the server wrote with GUIDEPOST_MAIL_URL=file://... (the default).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

// Undo quoted-printable soft line breaks and escapes, as a mail client would.
function decodeQuotedPrintable(text) {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

// Waits for a message (to `to`, when given) holding a link with `prefix`, and returns the link.
export async function waitForMailLink(dataDir, prefix, to = null) {
  const mailDir = path.join(dataDir, 'mail');
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const files = await readdir(mailDir).catch(() => []);
    for (const file of files.filter((f) => f.endsWith('.eml'))) {
      const text = decodeQuotedPrintable(await readFile(path.join(mailDir, file), 'utf8'));
      if (to && !new RegExp(`^To: .*${to.replace(/[.+]/g, '\\$&')}`, 'mi').test(text)) continue;
      const match = text.match(new RegExp(`https?://[^\\s"<>]+${prefix}[A-Za-z0-9_-]+`));
      if (match) return match[0];
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no mail${to ? ` to ${to}` : ''} with a ${prefix} link appeared in ${mailDir}`);
}

// Signs a new member up through the form, confirms the address from the mail, and signs in.
export async function joinAndSignIn(page, baseUrl, dataDir, username) {
  const email = `${username}@example.com`;
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('tulip-quartz-lantern');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/login');
  await page.goto(await waitForMailLink(dataDir, '/verify-email/', email));
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username or email address').fill(username);
  await page.getByLabel('Password').fill('tulip-quartz-lantern');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/`);
}
