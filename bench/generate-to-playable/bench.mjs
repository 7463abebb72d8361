// Generate → playable, in Sandbox mode, as a user sees it; against a baseline measured in the same run:
// the emulator's own create → SUCCEEDED → downloaded time for the same request, with no studio in between.
import { chromium } from 'playwright-core';
import { launchChromium, viewport, register, createProject } from '../common/studio-walk.mjs';

const base = process.env.BASE ?? 'http://localhost:5080';
const runs = Number(process.env.RUNS ?? 5);
const prompt = 'A slow dolly shot through a rain-soaked neon alley at night';
const median = xs => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function emulatorOnce(seed) {
  const headers = { Authorization: 'Bearer key_bench000000', 'X-Runway-Version': '2024-11-06', 'Content-Type': 'application/json' };
  const t0 = performance.now();
  const created = await (await fetch(`${base}/runway/v1/text_to_video`, { method: 'POST', headers,
    body: JSON.stringify({ model: 'gen4.5', promptText: `${prompt} (baseline)`, ratio: '1280:720', duration: 5, seed }) })).json();
  for (;;) {
    const task = await (await fetch(`${base}/runway/v1/tasks/${created.id}`, { headers })).json();
    if (task.status === 'SUCCEEDED') { await (await fetch(task.output[0])).arrayBuffer(); break; }
    if (task.status === 'FAILED') throw new Error(task.failure);
    await sleep(100);
  }
  return (performance.now() - t0) / 1000;
}

const browser = await launchChromium(chromium);
const page = await browser.newPage({ viewport });
await register(page, base);
await createProject(page, base, 'Bench');

const studio = [], baseline = [];
for (let i = 0; i < runs; i++) {
  // Distinct seeds so every run renders afresh instead of hitting the emulator's render cache.
  const seed = 1000 + i;
  baseline.push(await emulatorOnce(seed + 500));
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByLabel('Seed (optional)').fill(String(seed));
  const cards = await page.locator('[data-testid=take-card]').count();
  const t0 = performance.now();
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.waitForFunction(n => document.querySelectorAll('[data-testid=take-card]').length > n, cards);
  const card = page.locator('[data-testid=take-card]').first();
  await page.waitForFunction(() => document.querySelector('[data-testid=take-card]')?.getAttribute('data-state') === 'Ready', null, { timeout: 120000 });
  await card.getByRole('button', { name: 'Play take' }).click();
  await page.waitForFunction(() => { const v = document.querySelector('video[data-testid=player]'); return v && v.readyState >= 2; }, null, { timeout: 30000 });
  studio.push((performance.now() - t0) / 1000);
  await page.keyboard.press('Escape');
  await page.waitForSelector('video[data-testid=player]', { state: 'detached' });
  console.log(`run ${i + 1}: studio ${studio.at(-1).toFixed(2)} s, emulator alone ${baseline.at(-1).toFixed(2)} s`);
}
await browser.close();
const ms = median(studio), mb = median(baseline);
console.log(`median of ${runs}: Generate -> playable ${ms.toFixed(2)} s; emulator alone ${mb.toFixed(2)} s; studio overhead ${(ms - mb).toFixed(2)} s`);
