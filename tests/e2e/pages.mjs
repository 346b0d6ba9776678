// Reads pages of a built site as readers would — on a computer and on a 320 px phone, in light
// and dark mode — and prints what it found as JSON for tests/suite/browser.rs: axe-core's
// WCAG 2.1 A/AA violations, anything wider than the screen, chart text under 12 px, script
// errors, and requests to other hosts.
//
// node pages.mjs SITE PATH…

import { serveSite, launch, axeViolations } from './site.mjs';

const [site, ...paths] = process.argv.slice(2);
const server = await serveSite(site);
const { origin } = server;
const browser = await launch();
const modes = [
  { name: 'desktop-light', width: 1280, scheme: 'light' },
  { name: 'desktop-dark', width: 1280, scheme: 'dark' },
  { name: 'phone-light', width: 320, scheme: 'light' },
  { name: 'phone-dark', width: 320, scheme: 'dark' },
];
const problems = [];
const requests = new Set();
for (const mode of modes) {
  const context = await browser.newContext({ viewport: { width: mode.width, height: 800 }, colorScheme: mode.scheme });
  const page = await context.newPage();
  page.on('request', (r) => requests.add(r.url()));
  page.on('pageerror', (e) => problems.push(`${mode.name} ${page.url()}: script error ${e}`));
  for (const path of paths) {
    await page.goto(origin + path);
    const where = `${mode.name} ${path}`;
    for (const v of await axeViolations(page)) problems.push(`${where}: axe ${v}`);
    const seen = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const wide = document.documentElement.scrollWidth - width;
      // The first elements that stick out of the screen (not those inside a scrolling table).
      const out = [];
      for (const el of document.querySelectorAll('main *, header *, footer *')) {
        if (el.closest('.table-scroll') || el.closest('[hidden]')) continue;
        const box = el.getBoundingClientRect();
        if (box.width > 0 && box.right > width + 1) out.push(`${el.tagName.toLowerCase()}.${el.className}`);
      }
      const small = [...document.querySelectorAll('.hbar-label, .hbar-note, .linechart span, .merit-legend li')]
        .filter((el) => parseFloat(getComputedStyle(el).fontSize) < 12)
        .map((el) => el.textContent.trim());
      return { wide, out: out.slice(0, 3), small };
    });
    if (seen.wide > 0) problems.push(`${where}: ${seen.wide}px wider than the screen (${seen.out.join(', ')})`);
    if (seen.small.length) problems.push(`${where}: chart text under 12px: ${seen.small.slice(0, 3).join(' | ')}`);
  }
  await context.close();
}
await browser.close();
server.close();
const foreign = [...requests].filter((r) => !r.startsWith(`${origin}/`) && !r.startsWith('data:') && !r.startsWith('blob:'));
console.log(JSON.stringify({ pages: paths.length, modes: modes.length, problems, foreign }));
