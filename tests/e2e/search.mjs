// Searches the built site as a reader would, in headless Chromium, and prints what the search
// page showed as JSON for tests/suite/browser.rs.
//
// node search.mjs SITE OUT    SITE is a built site, served here on 127.0.0.1; OUT where the
//                             screenshots go (desktop and phone).

import path from 'node:path';
import { serveSite, launch, axeViolations } from './site.mjs';

const [site, out] = process.argv.slice(2);
const server = await serveSite(site);
const { origin } = server;
const browser = await launch();
const requests = [];
const errors = [];

/** What the results show: each group's heading and its titles, and the status line. */
async function shown(page) {
  return page.evaluate(() => ({
    state: document.getElementById('search-state').textContent,
    groups: [...document.querySelectorAll('#search-results section')].map((s) => ({
      heading: s.querySelector('h2').textContent,
      titles: [...s.querySelectorAll('h3 a')].map((a) => a.textContent),
      hrefs: [...s.querySelectorAll('h3 a')].map((a) => a.getAttribute('href')),
      facts: [...s.querySelectorAll('.card-meta')].map((p) => p.textContent),
      marks: [...s.querySelectorAll('mark')].map((m) => m.textContent),
    })),
  }));
}

/** Waits until the status line says something other than "searching". */
async function settled(page, before = null) {
  await page.waitForFunction((old) => {
    const text = document.getElementById('search-state').textContent;
    return text !== '' && !text.includes('…') && text !== old;
  }, before, { timeout: 30000 });
  return shown(page);
}

const context = await browser.newContext();
const page = await context.newPage();
page.on('request', (r) => requests.push(r.url()));
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

// A shared address: the search runs from ?q= alone.
await page.goto(`${origin}/search/?q=gratuite`);
const fromAddress = await settled(page);
const filters = await page.evaluate(() => Object.fromEntries(
  [...document.querySelectorAll('select[data-filter]')].map((s) => [s.name, [...s.options].map((o) => o.value)]),
));
const axe = await axeViolations(page);
await page.screenshot({ path: path.join(out, 'search-desktop.png'), fullPage: true });

// Narrowed to one kind.
await page.selectOption('select[name=kind]', fromAddress.groups.find((g) => g.heading.startsWith(process.env.KIND ?? 'Initiative'))
  ? (process.env.KIND ?? 'Initiative') : '');
const byKind = await settled(page, fromAddress.state);
const addressAfterFilter = page.url();

// Typed, with capitals and accents.
await page.selectOption('select[name=kind]', '');
await page.fill('input[name=q]', '');
await page.type('input[name=q]', 'GRATUITÉ');
await page.press('input[name=q]', 'Enter');
const typed = await settled(page, byKind.state);

// Nothing to find.
await page.fill('input[name=q]', 'zzqxwv');
await page.press('input[name=q]', 'Enter');
const nothing = await settled(page, typed.state);

// Dark mode and a phone.
await page.goto(`${origin}/search/?q=gratuite`);
await settled(page);
await page.emulateMedia({ colorScheme: 'dark' });
const axeDark = await axeViolations(page);
await page.setViewportSize({ width: 320, height: 700 });
const axePhone = await axeViolations(page);
const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
await page.setViewportSize({ width: 390, height: 844 });
await page.emulateMedia({ colorScheme: 'light' });
await page.screenshot({ path: path.join(out, 'search-phone.png') });

// Without JavaScript the page says where to look instead.
const noScript = await browser.newContext({ javaScriptEnabled: false });
const plain = await noScript.newPage();
await plain.goto(`${origin}/search/?q=gratuite`);
const withoutScript = await plain.evaluate(() => document.querySelector('noscript') !== null
  && [...document.querySelectorAll('main a')].map((a) => a.getAttribute('href')));

await browser.close();
server.close();
console.log(JSON.stringify({
  origin, requests, errors, filters, axe, axe_dark: axeDark, axe_phone: axePhone, overflow,
  from_address: fromAddress, by_kind: byKind, address_after_filter: addressAfterFilter, typed, nothing,
  without_script: withoutScript,
}));
