// Prints the medians per store and size from the JSON lines bench.mjs wrote (argument: the results file).
import { readFileSync } from 'node:fs';

const rows = readFileSync(process.argv[2], 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l));
const median = xs => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const mbps = (r, key) => r.bytes / 1e6 / r[key];
const groups = new Map();
for (const r of rows) groups.set(`${r.store} ${r.sizeMb}`, [...(groups.get(`${r.store} ${r.sizeMb}`) ?? []), r]);
const f0 = x => x === undefined ? '–' : x.toFixed(0), f1 = x => x.toFixed(1), f2 = x => x.toFixed(2);

console.log('| store | size | runs | archive MB/s | raw curl MB/s | archive / curl | curl\\|tee\\|sha256 MB/s | archive / that | raw Azurite upload MB/s | raw stream copy MB/s | archive / stream copy | peak memory growth MiB (median, max) |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const [, g] of groups) {
  const archive = median(g.map(r => mbps(r, 'archiveSeconds')));
  const curl = median(g.map(r => mbps(r, 'curlSeconds')));
  const tee = g[0].teeSeconds ? median(g.map(r => mbps(r, 'teeSeconds'))) : undefined;
  const upload = g[0].uploadSeconds ? median(g.map(r => mbps(r, 'uploadSeconds'))) : undefined;
  const stream = g[0].streamSeconds ? median(g.map(r => mbps(r, 'streamSeconds'))) : undefined;
  const growth = g.map(r => r.growth / 1048576);
  console.log(`| ${g[0].store} | ${g[0].sizeMb} MiB | ${g.length} | ${f0(archive)} | ${f0(curl)} | ${f2(archive / curl)} | ${f0(tee)} | ${tee ? f2(archive / tee) : '–'} | ${f0(upload)} | ${f0(stream)} | ${stream ? f2(archive / stream) : '–'} | ${f1(median(growth))}, ${f1(Math.max(...growth))} |`);
}
console.log('\nPer run (archive s / curl s / curl|tee|sha256 s / growth MiB; load average, CPU pressure % at the end of the run):');
for (const [key, g] of groups) {
  console.log(`  ${key} MiB: ${g.map(r => `${f1(r.archiveSeconds)}/${f1(r.curlSeconds)}/${r.teeSeconds ? f1(r.teeSeconds) : '–'}/${f1(r.growth / 1048576)} (${r.load1 ?? '?'}, ${r.cpuPressure ?? '?'})`).join(', ')}`);
}
