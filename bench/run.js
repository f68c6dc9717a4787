#!/usr/bin/env node
'use strict';
/**
 * npm run bench [-- --quick]
 *
 * Runs every scenario against our server (dist/index.js) and, in the same run, against a raw `ws`
 * relay (the physical limit), a minimal Socket.io server (the framework floor, informational) and,
 * for signalling, the PeerJS server. Prints one table of ratios to the raw ws relay with the targets
 * of issue 7, and writes bench/results/latest.{md,json}.
 *
 * Knobs (env): BENCH_CLIENTS (pairing clients, 2000), BENCH_PAIRS (relay pairs, 100), BENCH_SECONDS
 * (measure window, 10), BENCH_WINDOW (in-flight per client at saturation, 4), BENCH_MSG_SIZE (64),
 * BENCH_SIGNAL_PAIRS (50), BENCH_CANDIDATES (10), BENCH_IDLE_MAX (ramp top, 5000), BENCH_IDLE_STEP (1000),
 * BENCH_IDLE_BIG (15000, 0 to skip), BENCH_CHURN_CLIENTS (200), BENCH_CHURN_SECONDS (30),
 * BENCH_SCENARIOS (a,b,c,d,e,r), BENCH_REDIS (1 to run Redis mode when redis-server and REDIS_URL
 * support exist), BENCH_FLOOR (0 to skip the socket.io floor), BENCH_OUT (results dir).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { Target, LoadWorker, stopAll, pinSelf, procCpuSeconds, freePort, sleep, TASKSET, SERVER_CORE, LOAD_CORE, ROOT } = require('./lib/targets');
const { render } = require('./lib/report');

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const num = (name, full, quick) => Number(process.env[name] || (QUICK ? quick : full));
const CFG = {
  quick: QUICK,
  clients: num('BENCH_CLIENTS', 2000, 300),
  pairs: num('BENCH_PAIRS', 100, 20),
  seconds: num('BENCH_SECONDS', 10, 3),
  warmup: num('BENCH_WARMUP', 3, 1),
  window: num('BENCH_WINDOW', 4, 4),
  msgSize: num('BENCH_MSG_SIZE', 64, 64),
  signalPairs: num('BENCH_SIGNAL_PAIRS', 50, 10),
  candidates: num('BENCH_CANDIDATES', 10, 10),
  idleMax: num('BENCH_IDLE_MAX', 5000, 1000),
  idleStep: num('BENCH_IDLE_STEP', 1000, 250),
  idleBig: num('BENCH_IDLE_BIG', 15000, 0),
  churnClients: num('BENCH_CHURN_CLIENTS', 200, 40),
  churnSeconds: num('BENCH_CHURN_SECONDS', 30, 5),
  scenarios: (process.env.BENCH_SCENARIOS || 'a,b,c,d,e,r').split(',').map((s) => s.trim()),
  floor: process.env.BENCH_FLOOR !== '0',
  redis: process.env.BENCH_REDIS !== '0',
};
const OUT = process.env.BENCH_OUT || path.join(__dirname, 'results');
const PER_WORKER = 5000; // sockets per load process (fd limit and event-loop headroom)
/** Timers that the churn check waits out; short so the run stays bounded. */
const CHURN_ENV = { RECONNECT_GRACE_MS: '2000', REMATCH_COOLDOWN_MS: '2000' };

const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

function versions() {
  const pkg = (name) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return 'n/a';
    }
  };
  let bufferutil = false;
  try {
    require.resolve('bufferutil', { paths: [ROOT] });
    bufferutil = true;
  } catch {
    /* absent */
  }
  return {
    cpu: os.cpus()[0].model.trim(),
    cores: os.cpus().length,
    memGB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    socketio: pkg('socket.io'),
    socketioClient: pkg('socket.io-client'),
    engineio: pkg('engine.io'),
    ws: pkg('ws'),
    peer: pkg('peer'),
    bufferutil,
    taskset: TASKSET ? `server on core ${SERVER_CORE}, load on core ${LOAD_CORE}` : 'unavailable (no pinning)',
  };
}

async function withTarget(kind, opts, fn) {
  const t = new Target(kind, opts);
  await t.start();
  try {
    return await fn(t);
  } finally {
    await t.stop();
  }
}

async function withWorkers(n, fn) {
  const ws = Array.from({ length: n }, () => new LoadWorker());
  try {
    return await fn(ws);
  } finally {
    await Promise.all(ws.map((w) => w.exit()));
  }
}

/** Runs `cmd` on a worker and samples the server's CPU time at the worker's start/end marks. */
async function measured(t, w, cmd, args) {
  let cpu0 = 0;
  let cpu1 = 0;
  let load0 = 0;
  let load1 = 0;
  const result = await w.call(cmd, args, {
    onMark: (m) => {
      if (m.mark === 'start') (cpu0 = t.cpuSeconds()), (load0 = procCpuSeconds(w.proc.pid));
      if (m.mark === 'end') (cpu1 = t.cpuSeconds()), (load1 = procCpuSeconds(w.proc.pid));
    },
  });
  const cpu = cpu1 - cpu0;
  result.loadCpuUtil = (load1 - load0) / result.seconds;
  result.serverCpuSeconds = cpu;
  result.serverCpuUtil = cpu / result.seconds;
  result.cpuUsPerMsg = result.delivered ? (cpu * 1e6) / result.delivered : null;
  return result;
}

function check(cond, label) {
  if (!cond) throw new Error(label);
}

// (a) pairing throughput and connect rate
async function scenarioPairing(kind) {
  return withTarget(kind, {}, (t) =>
    withWorkers(1, async ([w]) => {
      const n = CFG.clients;
      const c = await w.call('connect', { kind: t.client, url: t.url, count: n, concurrency: 100 });
      check(c.connected === n, `${t.label}: only ${c.connected}/${n} connected (${c.firstError})`);
      const j = await w.call('join', { type: 'chat', timeoutMs: 60000 });
      await w.call('closeAll', { waitMs: 500 });
      return {
        clients: n,
        connectMs: c.ms,
        connectPerSec: n / (c.ms / 1000),
        joinMs: j.ms,
        paired: j.paired,
        pairsPerSec: j.paired / 2 / (j.ms / 1000),
        complete: j.paired >= j.want,
        errors: { ...c.errors, ...j.errors },
      };
    }),
  );
}

async function pairUp(t, w, n, type) {
  const c = await w.call('connect', { kind: t.client, url: t.url, count: n, concurrency: 50 });
  check(c.connected === n, `${t.label}: only ${c.connected}/${n} connected (${c.firstError})`);
  const j = await w.call('join', { type, timeoutMs: 30000 });
  check(j.linked >= n - 1, `${t.label}: only ${j.linked}/${n} paired within one load process`);
}

// (b) chat relay at saturation, then at half of that rate
async function scenarioRelay(kind, opts = {}) {
  return withTarget(kind, opts, (t) =>
    withWorkers(1, async ([w]) => {
      await pairUp(t, w, CFG.pairs * 2, 'chat');
      const base = { warmup: CFG.warmup, seconds: CFG.seconds, size: CFG.msgSize };
      const sat = await measured(t, w, 'relay', { ...base, mode: 'saturate', window: CFG.window });
      const rate = Math.max(10, Math.round(sat.perSec / 2));
      const half = await measured(t, w, 'relay', { ...base, mode: 'rate', rate });
      return { sat, half };
    }),
  );
}

// (c) idle memory: slope of heap (after GC) and RSS over a ramp of idle connected sockets
function slope(points) {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx ? sxy / sxx : NaN;
}

async function scenarioIdle(kind, big) {
  return withTarget(kind, { inspect: true }, async (t) => {
    const top = Math.max(CFG.idleMax, big || 0);
    return withWorkers(Math.ceil(top / PER_WORKER), async (workers) => {
      const steps = [];
      const load = workers.map(() => 0);
      const addSockets = async (count) => {
        // Spread over workers, each below PER_WORKER.
        const jobs = [];
        let left = count;
        for (let i = 0; i < workers.length && left > 0; i++) {
          const k = Math.min(left, PER_WORKER - load[i]);
          if (k <= 0) continue;
          load[i] += k;
          left -= k;
          jobs.push(workers[i].call('connect', { kind: t.client, url: t.url, count: k, concurrency: 100 }));
        }
        const rs = await Promise.all(jobs);
        const failed = rs.reduce((s, r) => s + r.failed, 0);
        check(!failed, `${t.label}: ${failed} idle sockets failed to connect (${rs.map((r) => r.firstError).find(Boolean)})`);
      };
      const sample = async (sockets) => {
        await sleep(QUICK ? 500 : 1500);
        const m = await t.gcMemory();
        steps.push({ sockets, ...m });
        log(`  ${t.label} idle ${sockets}: heap ${(m.heapUsed / 2 ** 20).toFixed(1)} MB, rss ${(m.rss / 2 ** 20).toFixed(1)} MB`);
        return m;
      };
      await sample(0);
      let n = 0;
      while (n < CFG.idleMax) {
        const k = Math.min(CFG.idleStep, CFG.idleMax - n);
        await addSockets(k);
        n += k;
        await sample(n);
      }
      const heapPerSocket = slope(steps.map((s) => [s.sockets, s.heapUsed]));
      const rssPerSocket = slope(steps.map((s) => [s.sockets, s.rss]));
      let bigResult = null;
      if (big && big > n) {
        await addSockets(big - n);
        const m = await sample(big);
        let stats = null;
        try {
          stats = await t.stats();
        } catch {
          /* baselines may not have /stats */
        }
        bigResult = { sockets: big, rss: m.rss, heapUsed: m.heapUsed, statsConnected: stats && pickConnected(stats) };
      }
      return { steps, heapPerSocket, rssPerSocket, big: bigResult };
    });
  });
}

// (d) signalling bursts: offer/answer (SDP ≈ 10 KB) and trickled ICE candidates
async function scenarioSignal(kind) {
  return withTarget(kind, {}, (t) =>
    withWorkers(1, async ([w]) => {
      await pairUp(t, w, CFG.signalPairs * 2, 'video');
      return measured(t, w, 'signal', { warmup: CFG.warmup, seconds: CFG.seconds, candidates: CFG.candidates });
    }),
  );
}

// (e) churn, then heap, rooms and queues against the baseline taken before it
function pickConnected(s) {
  for (const k of ['connectedUsers', 'connected', 'connections', 'users', 'sockets', 'onlineUsers']) {
    if (typeof s[k] === 'number') return s[k];
    if (s[k] && typeof s[k] === 'object') {
      for (const kk of ['connected', 'total', 'count', 'sockets', 'online']) if (typeof s[k][kk] === 'number') return s[k][kk];
    }
  }
  return null;
}
function sumNumbers(v) {
  if (typeof v === 'number') return v;
  if (v && typeof v.total === 'number') return v.total;
  if (v && typeof v === 'object') return Object.values(v).reduce((s, x) => s + sumNumbers(x), 0);
  return 0;
}
function pickStats(s) {
  const find = (names) => {
    for (const n of names) if (s[n] !== undefined) return sumNumbers(s[n]);
    return null;
  };
  return {
    connected: pickConnected(s),
    waiting: find(['waitingUsers', 'waiting', 'queues', 'queue', 'waitingByType']),
    rooms: find(['activeRooms', 'rooms', 'roomsByType']),
  };
}

async function scenarioChurn(kind) {
  return withTarget(kind, { inspect: true, env: CHURN_ENV }, (t) =>
    withWorkers(1, async ([w]) => {
      const n = CFG.churnClients;
      const c = await w.call('connect', { kind: t.client, url: t.url, count: n, concurrency: 50 });
      check(c.connected === n, `${t.label}: only ${c.connected}/${n} connected`);
      // Warm-up churn so lazily allocated pools and JIT code are in the baseline too.
      await w.call('churn', { kind: t.client, url: t.url, seconds: QUICK ? 1 : 3 });
      const settle = 2000 + Number(CHURN_ENV.RECONNECT_GRACE_MS) + Number(CHURN_ENV.REMATCH_COOLDOWN_MS);
      await sleep(settle);
      const before = { mem: await t.gcMemory(), stats: await t.stats() };
      const run = await w.call('churn', { kind: t.client, url: t.url, seconds: CFG.churnSeconds }, { timeoutMs: (CFG.churnSeconds + 60) * 1000 });
      await sleep(settle);
      const after = { mem: await t.gcMemory(), stats: await t.stats() };
      return { clients: n, seconds: CFG.churnSeconds, run, before, after, b: pickStats(before.stats), a: pickStats(after.stats) };
    }),
  );
}

// (r) Redis mode: two nodes sharing one redis-server we start ourselves
function redisSupported() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'redis-server not installed';
  }
  const envExample = path.join(ROOT, 'env.example');
  if (!fs.existsSync(envExample) || !/REDIS_URL/.test(fs.readFileSync(envExample, 'utf8'))) return 'env.example has no REDIS_URL';
  if (!fs.existsSync(path.join(ROOT, 'dist', 'domain', 'redis')) || !fs.readdirSync(path.join(ROOT, 'dist', 'domain', 'redis')).length)
    return 'no Redis implementation in dist/domain/redis';
  return null;
}

async function withRedis(fn) {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  try {
    const net = require('node:net');
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise((r) => {
        const s = net.connect(port, '127.0.0.1', () => (s.end(), r(true)));
        s.on('error', () => r(false));
      });
      if (ok) break;
      await sleep(100);
    }
    return await fn(`redis://127.0.0.1:${port}`);
  } finally {
    proc.kill('SIGTERM');
    await Promise.race([new Promise((r) => proc.once('exit', r)), sleep(3000)]);
  }
}

async function scenarioRedis() {
  return withRedis(async (url) => {
    const env = { REDIS_URL: url };
    // Per-node relay: one node in Redis mode (the adapter and Redis-backed rooms on the path).
    const relay = await scenarioRelay('ours', { env, label: 'ours (redis)' });
    // Cross-node pairing: half the clients on each node; all join at once.
    const a = new Target('ours', { env, label: 'node A' });
    const b = new Target('ours', { env, label: 'node B' });
    await a.start();
    await b.start();
    try {
      return await withWorkers(2, async ([wa, wb]) => {
        const half = Math.floor(CFG.clients / 2);
        const ca = await wa.call('connect', { kind: 'sio', url: a.url, count: half, concurrency: 100 });
        const cb = await wb.call('connect', { kind: 'sio', url: b.url, count: half, concurrency: 100 });
        check(ca.connected === half && cb.connected === half, 'redis nodes: connect failed');
        const [ja, jb] = await Promise.all([wa.call('join', { type: 'chat' }), wb.call('join', { type: 'chat' })]);
        const ms = Math.max(ja.ms, jb.ms);
        const paired = ja.paired + jb.paired;
        return { relay, pairing: { clients: 2 * half, paired, ms, pairsPerSec: paired / 2 / (ms / 1000), complete: ja.paired >= ja.want && jb.paired >= jb.want } };
      });
    } finally {
      await a.stop();
      await b.stop();
    }
  });
}

async function step(results, key, fn) {
  const t0 = Date.now();
  try {
    results[key] = await fn();
  } catch (err) {
    results[key] = { error: String(err.message || err) };
    log(`  ${key} FAILED: ${String(err.message || err).split('\n')[0]}`);
  }
  log(`  ${key} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function main() {
  pinSelf();
  const oursScript = process.env.BENCH_OURS_SCRIPT || 'dist/index.js';
  if (!fs.existsSync(path.join(ROOT, oursScript))) {
    console.error(`${oursScript} not found: run \`npm run build\` first.`);
    process.exit(1);
  }
  const started = Date.now();
  const machine = versions();
  log(`${QUICK ? 'quick' : 'full'} run on ${machine.cpu} × ${machine.cores}; ${machine.taskset}`);
  const r = {};
  const has = (s) => CFG.scenarios.includes(s);
  const floor = CFG.floor ? ['sio'] : [];
  if (has('a')) for (const k of ['ws', 'ours', ...floor]) await step(r, `pairing.${k}`, () => scenarioPairing(k));
  if (has('b')) {
    for (const k of ['ws', 'ours', ...floor]) await step(r, `relay.${k}`, () => scenarioRelay(k));
    if (machine.bufferutil && !QUICK) await step(r, 'relay.ours_nobufferutil', () => scenarioRelay('ours', { env: { WS_NO_BUFFER_UTIL: '1' }, label: 'ours (no bufferutil)' }));
  }
  if (has('c')) {
    await step(r, 'idle.ws', () => scenarioIdle('ws', 0));
    await step(r, 'idle.ours', () => scenarioIdle('ours', CFG.idleBig));
    if (CFG.floor && !QUICK) await step(r, 'idle.sio', () => scenarioIdle('sio', 0));
  }
  if (has('d')) for (const k of ['ws', 'peer', 'ours', ...floor]) await step(r, `signal.${k}`, () => scenarioSignal(k));
  if (has('e')) await step(r, 'churn.ours', () => scenarioChurn('ours'));
  if (has('r') && CFG.redis) {
    const why = redisSupported();
    if (why) r.redis = { skipped: why };
    else await step(r, 'redis', scenarioRedis);
  }
  const out = { date: new Date().toISOString(), seconds: (Date.now() - started) / 1000, config: CFG, machine, results: r };
  const md = render(out);
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, QUICK ? 'quick.json' : 'latest.json'), JSON.stringify(out, null, 2));
  fs.writeFileSync(path.join(OUT, QUICK ? 'quick.md' : 'latest.md'), md);
  process.stdout.write(md);
  log(`done in ${out.seconds.toFixed(0)} s; wrote ${path.relative(ROOT, OUT)}/${QUICK ? 'quick' : 'latest'}.{md,json}`);
}

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  await stopAll();
  process.exit(code);
}
process.on('SIGINT', () => shutdown(130));
process.on('SIGTERM', () => shutdown(143));
// A hard ceiling on the whole run, whatever happens.
const CEILING_MS = Number(process.env.BENCH_MAX_MINUTES || (QUICK ? 5 : 20)) * 60000;
setTimeout(() => {
  log(`run exceeded ${CEILING_MS / 60000} min; stopping`);
  shutdown(2);
}, CEILING_MS).unref();

main().then(
  () => shutdown(0),
  (err) => {
    console.error(err);
    shutdown(1);
  },
);
