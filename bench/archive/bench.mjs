// Archive benchmark, one studio process (one store, one size): RUNS takes whose output weighs SIZE_MB MiB
// ([[fault: output-size(mb=SIZE_MB)]]) are generated through the composer; for each, the studio process's peak
// memory growth (VmHWM after the take is Ready minus VmRSS at submit, peak reset at submit) and the archive
// throughput the studio logs. Measured in the same run, right before each take: a raw copy of the same bytes
// (curl from the in-process emulator to a file), the least an archive must do by standard tools (curl | tee file |
// openssl dgst -sha256: one copy stored, hashed) and, for AzureBlob, a raw upload of that file into Azurite and a
// raw streamed copy emulator -> Azurite (both with the Azure SDK for JS, staged as 4 MiB blocks, 4 at once, like
// the studio's defaults; never one single-shot Put Blob). Appends one JSON line per run to RESULTS.
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { chromium } from 'playwright-core';
import { BlobServiceClient } from '@azure/storage-blob';
import { launchChromium, viewport, register, createProject } from '../common/studio-walk.mjs';

const env = name => { const v = process.env[name]; if (!v) throw new Error(`${name} is not set`); return v; };
const base = env('BASE');
const pid = Number(env('STUDIO_PID'));
const runs = Number(env('RUNS'));
const sizeMb = Number(env('SIZE_MB'));
const store = env('STORE');
const log = env('STUDIO_LOG');
const results = env('RESULTS');
const scratch = env('SCRATCH');
const azure = process.env.AZURE_CONNECTION_STRING;
const expectedBytes = sizeMb * 1024 * 1024;
const directive = `[[fault: output-size(mb=${sizeMb})]]`;
const blockSize = 4 * 1024 * 1024, concurrency = 4;
const sleep = ms => new Promise(r => setTimeout(r, ms));

const status = () => Object.fromEntries(readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')
  .map(l => l.match(/^(\w+):\s+(\d+) kB/)).filter(Boolean).map(m => [m[1], Number(m[2]) * 1024]));
const archivedLines = () => [...readFileSync(log, 'utf8').matchAll(/Generation ([0-9a-f-]{36}): archived (\d+) bytes in ([\d.]+) s/g)]
  .map(m => ({ generation: m[1], bytes: Number(m[2]), seconds: Number(m[3]) }));
const failedLines = () => [...readFileSync(log, 'utf8').matchAll(/Generation [0-9a-f-]{36}: archive attempt failed: .*/g)].map(m => m[0]);

/** The same task straight at the in-process emulator; returns its output URL once SUCCEEDED. */
async function emulatorOutput(seed) {
  const headers = { Authorization: 'Bearer key_bench000000', 'X-Runway-Version': '2024-11-06', 'Content-Type': 'application/json' };
  const created = await (await fetch(`${base}/runway/v1/text_to_video`, { method: 'POST', headers,
    body: JSON.stringify({ model: 'gen4.5', promptText: `Raw copy baseline ${directive}`, ratio: '1280:720', duration: 5, seed }) })).json();
  if (!created.id) throw new Error(`create refused: ${JSON.stringify(created)}`);
  for (;;) {
    const task = await (await fetch(`${base}/runway/v1/tasks/${created.id}`, { headers })).json();
    if (task.status === 'SUCCEEDED') return task.output[0];
    if (task.status === 'FAILED') throw new Error(task.failure);
    await sleep(200);
  }
}

/** Raw baselines: curl to a file; for AzureBlob, that file uploaded into Azurite and a streamed emulator -> Azurite copy. */
async function rawCopy(run) {
  const url = await emulatorOutput(9000 + run);
  const file = join(scratch, `raw-${run}.mp4`);
  let t0 = performance.now();
  const curl = spawnSync('curl', ['-sS', '--fail', '-o', file, url]);
  const curlSeconds = (performance.now() - t0) / 1000;
  if (curl.status !== 0) throw new Error(`curl failed: ${curl.stderr}`);
  const bytes = statSync(file).size;
  if (bytes !== expectedBytes) throw new Error(`raw copy is ${bytes} bytes, expected ${expectedBytes}`);
  const raw = { bytes, curlSeconds };
  // The least an archive must do, by standard tools in a pipeline: store the bytes once and hash them (SHA-256).
  t0 = performance.now();
  const tee = spawnSync('sh', ['-c', 'curl -sS --fail "$1" | tee "$2.tee" | openssl dgst -sha256 >/dev/null', 'sh', url, file]);
  raw.teeSeconds = (performance.now() - t0) / 1000;
  if (tee.status !== 0) throw new Error(`curl | tee | openssl failed: ${tee.stderr}`);
  unlinkSync(`${file}.tee`);
  if (azure) {
    const container = BlobServiceClient.fromConnectionString(azure).getContainerClient('bench-raw');
    await container.createIfNotExists();
    t0 = performance.now();
    await container.getBlockBlobClient(`upload-${run}.mp4`).uploadFile(file, { blockSize, concurrency, maxSingleShotSize: blockSize });
    raw.uploadSeconds = (performance.now() - t0) / 1000;
    unlinkSync(file);
    t0 = performance.now();
    const response = await fetch(url);
    await container.getBlockBlobClient(`stream-${run}.mp4`).uploadStream(Readable.fromWeb(response.body), blockSize, concurrency);
    raw.streamSeconds = (performance.now() - t0) / 1000;
    const stored = (await container.getBlockBlobClient(`stream-${run}.mp4`).getProperties()).contentLength;
    if (stored !== expectedBytes) throw new Error(`streamed raw copy stored ${stored} bytes`);
    await container.deleteBlob(`upload-${run}.mp4`);
    await container.deleteBlob(`stream-${run}.mp4`);
  } else {
    unlinkSync(file);
  }
  return raw;
}

const browser = await launchChromium(chromium);
const page = await browser.newPage({ viewport });
await register(page, base);
await createProject(page, base, 'Archive bench');

for (let run = 1; run <= runs; run++) {
  const raw = await rawCopy(run);

  await page.getByLabel('Prompt').fill(`Harbour at dawn, take ${run} ${directive}`);
  const cards = await page.locator('[data-testid=take-card]').count();
  const archivedBefore = archivedLines().length;
  writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
  const before = status();
  const t0 = performance.now();
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.waitForFunction(n => document.querySelectorAll('[data-testid=take-card]').length > n, cards);
  await page.waitForFunction(() => ['Ready', 'Failed'].includes(document.querySelector('[data-testid=take-card]')?.getAttribute('data-state')),
    null, { timeout: 30 * 60 * 1000, polling: 250 });
  const submitToReady = (performance.now() - t0) / 1000;
  const after = status();
  const state = await page.locator('[data-testid=take-card]').first().getAttribute('data-state');
  const archived = archivedLines().slice(archivedBefore);
  if (state !== 'Ready' || archived.length !== 1) {
    throw new Error(`run ${run}: take is ${state}, ${archived.length} archive lines; failures: ${failedLines().join(' | ')}`);
  }
  const a = archived[0];
  if (a.bytes !== expectedBytes) throw new Error(`run ${run}: archived ${a.bytes} bytes, expected ${expectedBytes}`);
  const result = {
    store, sizeMb, run, bytes: a.bytes, archiveSeconds: a.seconds, submitToReady,
    rssBefore: before.VmRSS, hwm: after.VmHWM, growth: after.VmHWM - before.VmRSS,
    ...raw, retries: failedLines().length,
    // How busy the machine was (other work slows every figure): 1-min load average, share of the last minute some task waited for a CPU.
    load1: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
    cpuPressure: Number(readFileSync('/proc/pressure/cpu', 'utf8').match(/^some .*?avg60=([\d.]+)/m)?.[1] ?? NaN),
  };
  appendFileSync(results, JSON.stringify(result) + '\n');
  const mbps = s => (a.bytes / 1e6 / s).toFixed(0);
  console.log(`${store} ${sizeMb} MiB run ${run}: archive ${mbps(a.seconds)} MB/s (${a.seconds.toFixed(1)} s), raw curl ${mbps(raw.curlSeconds)} MB/s, curl|tee|sha256 ${mbps(raw.teeSeconds)} MB/s`
    + (raw.uploadSeconds ? `, raw Azurite upload ${mbps(raw.uploadSeconds)} MB/s, raw stream copy ${mbps(raw.streamSeconds)} MB/s` : '')
    + `; peak memory growth ${(result.growth / 1048576).toFixed(1)} MiB (RSS ${(before.VmRSS / 1048576).toFixed(0)} -> peak ${(after.VmHWM / 1048576).toFixed(0)} MiB)`);
}
await browser.close();
