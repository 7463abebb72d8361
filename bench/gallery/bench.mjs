// The gallery with 10,000 takes: how long until the first page of cards shows, and what one open gallery costs the
// server in memory. Baselines measured in the same run: an empty project (same page, same circuit, no takes).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { launchChromium, viewport, register, createProject } from '../common/studio-walk.mjs';

const base = process.env.BASE ?? 'http://127.0.0.1:5092';
const runs = Number(process.env.RUNS ?? 5);
const tabs = Number(process.env.TABS ?? 10);
const takes = Number(process.env.TAKES ?? 10000);
const firstCards = Number(process.env.FIRST_CARDS ?? 6);
const pid = process.env.STUDIO_PID;
const db = process.env.STUDIO_DB;
const median = xs => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const sleep = ms => new Promise(r => setTimeout(r, ms));
const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const browser = await launchChromium(chromium);
const context = await browser.newContext({ viewport });
const page = await context.newPage();
await register(page, base);

const emptyUrl = await createProject(page, base, 'Empty');
const galleryUrl = await createProject(page, base, 'Ten thousand takes');
// One real take (Sandbox renders it), then its row is cloned: every clone shares its video and poster.
await page.getByLabel('Prompt').fill('A slow dolly shot through a rain-soaked neon alley at night');
await page.getByRole('button', { name: 'Generate' }).click();
await page.waitForFunction(() => document.querySelector('[data-testid=take-card]')?.getAttribute('data-state') === 'Ready', null, { timeout: 180000 });
const projectId = galleryUrl.split('/').pop();
execFileSync('python3', [new URL('./seed.py', import.meta.url).pathname, db, projectId, String(takes - 1)], { stdio: 'inherit' });

// Time from navigation to the first cards with their posters on screen (server render + circuit + first page query).
async function timeToCards(url, selector, count) {
  const p = await context.newPage();
  const t0 = performance.now();
  await p.goto(url);
  await p.waitForFunction(([s, n]) => {
    const cards = [...document.querySelectorAll(s)];
    return cards.length >= n && cards.slice(0, n).every(c => { const img = c.querySelector('img'); return !img || img.complete; });
  }, [selector, count], { timeout: 60000, polling: 10 });
  const ms = performance.now() - t0;
  await p.close();
  return ms;
}
const gallery = [], empty = [];
for (let i = 0; i < runs; i++) {
  empty.push(await timeToCards(emptyUrl, '[role=status]', 1));
  gallery.push(await timeToCards(galleryUrl, '[data-testid=take-card][data-state=Ready]', firstCards));
  console.log(`run ${i + 1}: first ${firstCards} cards of ${takes} in ${gallery.at(-1).toFixed(0)} ms; empty project ${empty.at(-1).toFixed(0)} ms`);
}

// Memory per open gallery circuit: RSS growth with TABS tabs open, against the same number of tabs on the empty project.
async function rssPerTab(url, ready) {
  await sleep(3000);
  const before = rssMiB();
  const pages = [];
  for (let i = 0; i < tabs; i++) {
    const p = await context.newPage();
    await p.goto(url);
    await p.waitForSelector('[data-testid=interactive]', { state: 'attached' });
    await p.waitForSelector(ready);
    pages.push(p);
  }
  await sleep(3000);
  const after = rssMiB();
  for (const p of pages) await p.close();
  return (after - before) / tabs;
}
const memGallery = [], memEmpty = [];
for (let i = 0; i < Math.max(1, Math.min(runs, 3)); i++) {
  memEmpty.push(await rssPerTab(emptyUrl, '[role=status]'));
  memGallery.push(await rssPerTab(galleryUrl, '[data-testid=take-card][data-state=Ready]'));
  console.log(`memory run ${i + 1}: ${memGallery.at(-1).toFixed(2)} MiB per gallery tab; ${memEmpty.at(-1).toFixed(2)} MiB per empty-project tab (${tabs} tabs each)`);
}
await browser.close();
console.log(`median of ${runs}: first ${firstCards} cards of a ${takes}-take gallery ${median(gallery).toFixed(0)} ms; empty project ${median(empty).toFixed(0)} ms`);
console.log(`median: RSS per open gallery circuit ${median(memGallery).toFixed(2)} MiB; per empty-project circuit ${median(memEmpty).toFixed(2)} MiB; gallery's own share ${(median(memGallery) - median(memEmpty)).toFixed(2)} MiB`);
