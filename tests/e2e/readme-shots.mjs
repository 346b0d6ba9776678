// Takes the README's screenshots of a built site: the search page on a computer, and a closed
// vote's results on a phone.
//
// node readme-shots.mjs SITE OUT

import path from 'node:path';
import { serveSite, launch } from './site.mjs';

const [site, out] = process.argv.slice(2);
const server = await serveSite(site);
const browser = await launch();

const desktop = await browser.newPage({ viewport: { width: 1100, height: 760 } });
await desktop.goto(`${server.origin}/search/?q=gratuite`);
await desktop.waitForSelector('#search-results h2');
await desktop.screenshot({ path: path.join(out, 'screenshot-search.png') });

const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
await phone.goto(`${server.origin}/votes/priorites-transports-2027/`);
await phone.locator('#results-title').scrollIntoViewIfNeeded();
await phone.evaluate(() => window.scrollBy(0, -16));
await phone.screenshot({ path: path.join(out, 'screenshot-results-phone.png') });

await browser.close();
server.close();
