#!/usr/bin/env node
'use strict';
/**
 * Summarises V8 .cpuprofile files: top functions by self time, and time by file/package.
 *   BENCH_CPU_PROF=/tmp/prof BENCH_SCENARIOS=relay BENCH_FLOOR=0 node bench/run.js --quick
 *   node bench/profile.js /tmp/prof [top=25]
 */
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
const top = Number(process.argv[3] || 25);
if (!dir) {
  console.error('usage: node bench/profile.js <dir-or-file.cpuprofile> [top]');
  process.exit(1);
}
const files = fs.statSync(dir).isDirectory()
  ? fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(dir, f))
  : [dir];
for (const file of files) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const intervals = prof.timeDeltas;
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    self.set(id, (self.get(id) || 0) + (intervals[i] || 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fnTime = new Map();
  const fileTime = new Map();
  for (const [id, t] of self) {
    const cf = byId.get(id).callFrame;
    let url = cf.url.replace(/^file:\/\//, '');
    url = url.includes('node_modules/') ? url.replace(/.*node_modules\//, 'nm:') : url.replace(/.*\/dist\//, 'dist/');
    const key = `${cf.functionName || '(anonymous)'}  ${url}:${cf.lineNumber + 1}`;
    fnTime.set(key, (fnTime.get(key) || 0) + t);
    const pkg = url.startsWith('nm:')
      ? url
          .split('/')
          .slice(0, url.startsWith('nm:@') ? 2 : 1)
          .join('/')
      : url.startsWith('dist/')
        ? url
        : url || cf.functionName;
    fileTime.set(pkg, (fileTime.get(pkg) || 0) + t);
  }
  const show = (m, n) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n');
  console.log(
    `\n== ${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled\n-- by function (self time)\n${show(fnTime, top)}\n-- by file / package\n${show(fileTime, 20)}`,
  );
}
