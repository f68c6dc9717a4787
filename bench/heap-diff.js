#!/usr/bin/env node
'use strict';
/**
 * What an idle socket costs on the heap, by constructor: starts a target (default ours) with the
 * inspector, takes a heap snapshot with 0 and with N idle sockets (after GC), and prints the
 * per-socket difference of self size by constructor name.
 *   node bench/heap-diff.js [ours|sio|ws] [N=2000]
 */
const { Target, LoadWorker, sleep } = require('./lib/targets');

async function snapshot(t) {
  await t.ensureInspector();
  const chunks = [];
  const onMsg = (d) => {
    const m = JSON.parse(d);
    if (m.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(m.params.chunk);
  };
  t.inspector.ws.on('message', onMsg);
  for (let i = 0; i < 2; i++) await t.inspector.call('HeapProfiler.collectGarbage');
  await t.inspector.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  t.inspector.ws.off('message', onMsg);
  const snap = JSON.parse(chunks.join(''));
  const f = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const iType = f.indexOf('type');
  const iName = f.indexOf('name');
  const iSize = f.indexOf('self_size');
  const by = new Map();
  for (let i = 0; i < snap.nodes.length; i += f.length) {
    const type = types[snap.nodes[i + iType]];
    let name = type === 'object' || type === 'closure' ? snap.strings[snap.nodes[i + iName]] : `(${type})`;
    if (type === 'closure') name = `closure ${name}`;
    const e = by.get(name) || { size: 0, count: 0 };
    e.size += snap.nodes[i + iSize];
    e.count += 1;
    by.set(name, e);
  }
  return by;
}

(async () => {
  const kind = process.argv[2] || 'ours';
  const n = Number(process.argv[3] || 2000);
  const t = new Target(kind, { inspect: true });
  await t.start();
  const w = new LoadWorker();
  try {
    await sleep(500);
    const a = await snapshot(t);
    const r = await w.call('connect', { kind: t.client, url: t.url, count: n, concurrency: 100 });
    if (r.failed) throw new Error(`${r.failed} failed: ${r.firstError}`);
    await sleep(1500);
    const b = await snapshot(t);
    const rows = [];
    let total = 0;
    for (const [name, e] of b) {
      const d = e.size - (a.get(name)?.size || 0);
      const c = e.count - (a.get(name)?.count || 0);
      total += d;
      rows.push([name, d / n, c / n]);
    }
    rows.sort((x, y) => y[1] - x[1]);
    console.log(`${t.label}: ${(total / n / 1024).toFixed(2)} KB heap per idle socket (snapshot self sizes)`);
    for (const [name, bytes, count] of rows.slice(0, 30)) {
      console.log(`${bytes.toFixed(0).padStart(7)} B  ${count.toFixed(2).padStart(6)} objs  ${name.slice(0, 90)}`);
    }
  } finally {
    await w.exit();
    await t.stop();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
