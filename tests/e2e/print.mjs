// Prints pages of a built site to PDF in headless Chromium, as a council member would with the
// browser's Print command, at the page size their stylesheet asks for (`@page`), and prints
// what it did as JSON for tests/suite/browser.rs.
//
// node print.mjs SITE OUT PATH…   each PATH is printed to OUT/<n>.pdf, n = 1, 2…

import path from 'node:path';
import { serveSite, launch } from './site.mjs';

const [site, out, ...paths] = process.argv.slice(2);
const server = await serveSite(site);
const browser = await launch();
const page = await browser.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
const printed = [];
for (const [i, p] of paths.entries()) {
  await page.goto(server.origin + p);
  const file = path.join(out, `${i + 1}.pdf`);
  await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
  printed.push({ path: p, pdf: file });
}
await browser.close();
server.close();
console.log(JSON.stringify({ printed, errors }));
