// Signs in the page as a citizen would, in headless Chromium (Debian's, driven by
// playwright-core), and prints what the page produced as JSON for tests/suite/browser.rs.
//
// node sign.mjs SITE PAGE OUT new PASSWORD NAME     a key made in the page
// node sign.mjs SITE PAGE OUT file PASSWORD KEYFILE  the citizen's own secret key file
// (a last argument SUBJECT chooses the key to certify on the members page)
//
// SITE is a built site, served here on 127.0.0.1; PAGE the path of the page to sign on; OUT
// where the screenshots go (desktop and phone). Every request the page makes is listed.

import path from 'node:path';
import { serveSite, launch, axeViolations } from './site.mjs';

const [site, pagePath, out, mode, password, extra, subject] = process.argv.slice(2);
const server = await serveSite(site);
const { origin } = server;
const browser = await launch();
const requests = [];
const errors = [];

async function withoutScript() {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(origin + pagePath);
  const shown = await page.locator('form.browser-sign').isVisible();
  await context.close();
  return shown;
}

const context = await browser.newContext({ acceptDownloads: true });
const page = await context.newPage();
page.on('request', (r) => requests.push(r.url()));
page.on('pageerror', (e) => errors.push(String(e)));
await page.goto(origin + pagePath);
await page.locator('form.browser-sign').waitFor({ state: 'visible' });
if (mode === 'file') {
  await page.check('input[name=key-source][value=file]');
  await page.setInputFiles('input[name=key-file]', extra);
} else if (extra) {
  await page.check('input[name=shown-as][value=name]');
  await page.fill('input[name=name]', extra);
  // KEY_ONLY: the citizen typed a name, then chose to appear under the key's id after all.
  if (process.env.KEY_ONLY) await page.check('input[name=shown-as][value=key]');
}
if (subject) await page.selectOption('select[name=subject]', subject);
// BALLOT (JSON) fills a vote's ballot: {"choice": ["a", "b"]} ticks or picks options,
// {"rank": {"a": 1}} ranks them, {"grade": {"a": "bien"}} grades them.
const ballot = JSON.parse(process.env.BALLOT || '{}');
for (const id of ballot.choice ?? []) await page.check(`input[name=choice][value="${id}"]`);
for (const [id, n] of Object.entries(ballot.rank ?? {})) await page.selectOption(`select[name=rank][data-option="${id}"]`, String(n));
for (const [id, g] of Object.entries(ballot.grade ?? {})) await page.selectOption(`select[name=grade][data-option="${id}"]`, g);
await page.fill('input[name=password]', password);
// A wrong password first, when the test gives one: the page says so, and signs nothing.
let refused = null;
if (process.env.WRONG_PASSWORD) {
  await page.fill('input[name=password]', process.env.WRONG_PASSWORD);
  await page.click('form.browser-sign button[type=submit]');
  await page.waitForFunction(() => {
    const text = document.querySelector('.browser-sign-status').textContent;
    return text !== '' && !text.includes('…');
  }, null, { timeout: 60000 });
  refused = {
    status: await page.textContent('.browser-sign-status'),
    result_shown: await page.locator('.browser-sign-result').isVisible(),
  };
  await page.fill('input[name=password]', password);
}
await page.click('form.browser-sign button[type=submit]');
await page.locator('.browser-sign-result').waitFor({ state: 'visible', timeout: 60000 });
// Accessibility of the page with the form shown and filled in (axe-core, WCAG 2.1 AA).
const axe = await axeViolations(page);
const result = await page.evaluate(async () => {
  const form = document.querySelector('form.browser-sign');
  const visible = (el) => el && !el.closest('[hidden]') && !el.hidden;
  const fetched = async (selector) => {
    const a = form.querySelector(selector);
    if (!visible(a)) return null;
    return { name: a.download, text: await (await fetch(a.href)).text() };
  };
  const href = (selector) => {
    const a = form.querySelector(selector);
    return visible(a) ? a.href : null;
  };
  return {
    statement: form.elements.statement.value,
    status: form.querySelector('.browser-sign-status').textContent,
    download: await fetched('.download-statement'),
    public: await fetched('.download-public'),
    secret: await fetched('.save-secret'),
    forge_statement: href('.forge-statement'),
    forge_key: href('.forge-key'),
    forge_profile: href('.forge-profile'),
    mail: href('.mail-statement'),
  };
});
const shot = `${pagePath.split('/').filter(Boolean).join('-')}-${mode}`;
await page.locator('form.browser-sign').screenshot({ path: path.join(out, `${shot}-desktop.png`) });
await page.setViewportSize({ width: 390, height: 844 });
await page.locator('form.browser-sign').scrollIntoViewIfNeeded();
await page.screenshot({ path: path.join(out, `${shot}-phone.png`) });
const hiddenWithoutScript = !(await withoutScript());
await browser.close();
server.close();
console.log(JSON.stringify({ ...result, origin, requests, errors, axe, refused, hidden_without_script: hiddenWithoutScript }));
