#!/usr/bin/env node
'use strict';
/**
 * npm run bench [-- --quick] [-- --doc]
 *
 * Runs every scenario against our server (dist/index.js) and, in the same run, against a raw `ws`
 * relay (the physical limit), a minimal Socket.io server (the framework floor, informational) and,
 * for signalling, the PeerJS server. Prints one table of ratios to the raw ws relay with the targets
 * of issue 7, and writes bench/results/latest.{md,json}.
 *
 * Knobs (env; quick-mode defaults in CFG below):
 *   BENCH_CLIENTS        pairing clients (2000)          BENCH_PAIRS          relay pairs (100)
 *   BENCH_SECONDS        measured window, s (8)          BENCH_WARMUP         warm-up before it, s (2)
 *   BENCH_WINDOW         in flight per client at saturation (4)   BENCH_MSG_SIZE  chat chars (64)
 *   BENCH_SIGNAL_PAIRS   signalling pairs (50)           BENCH_CANDIDATES     ICE each way per negotiation (10)
 *   BENCH_IDLE_MAX/STEP  idle ramp top and step (5000/1000)   BENCH_IDLE_BIG  big idle check (15000, 0 skips)
 *   BENCH_CHURN_CLIENTS  (200)                           BENCH_CHURN_SECONDS  (20); BENCH_CHURN_LATE=0 skips the 61 s re-check
 *   BENCH_SCENARIOS      a,b,c,d,e,r                     BENCH_TARGETS        ws,ours,sio,peer (a, b, d)
 *   BENCH_REPEAT         best of N saturation runs (1)   BENCH_FLOOR=0|1      socket.io floor (on; quick: off)
 *   BENCH_REDIS=0        skip Redis mode                 BENCH_OUT            results dir (bench/results)
 *   BENCH_QUIET_WAIT     s to wait for other processes to go quiet before each scenario (10; quick 0),
 *                        at most BENCH_QUIET_TOTAL s per run (60)
 *   BENCH_BUFFERUTIL_DIR a node_modules dir holding bufferutil, to measure with it when it is not installed
 *   BENCH_PROFILE_DIR    write V8 CPU profiles of ours for every measured window (summarise: node bench/profile.js DIR)
 *   BENCH_CPU_PROF       same with --cpu-prof for the whole life of every ours process
 *   BENCH_OURS_SCRIPT    run another script as "ours" (default dist/index.js)
 *   BENCH_MAX_MINUTES    hard ceiling for the whole run (20; quick 5)
 */
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const {
  Target,
  LoadWorker,
  stopAll,
  pinSelf,
  procCpuSeconds,
  machineBusySeconds,
  freePort,
  sleep,
  TASKSET,
  SERVER_CORE,
  LOAD_CORE,
  ROOT,
  KINDS,
} = require('./lib/targets');
const { render } = require('./lib/report');

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const num = (name, full, quick) => Number(process.env[name] || (QUICK ? quick : full));
const CFG = {
  quick: QUICK,
  clients: num('BENCH_CLIENTS', 2000, 300),
  pairs: num('BENCH_PAIRS', 100, 20),
  seconds: num('BENCH_SECONDS', 8, 2),
  warmup: num('BENCH_WARMUP', 2, 1),
  window: num('BENCH_WINDOW', 4, 4),
  msgSize: num('BENCH_MSG_SIZE', 64, 64),
  signalPairs: num('BENCH_SIGNAL_PAIRS', 50, 10),
  candidates: num('BENCH_CANDIDATES', 10, 10),
  idleMax: num('BENCH_IDLE_MAX', 5000, 1000),
  idleStep: num('BENCH_IDLE_STEP', 1000, 250),
  idleBig: num('BENCH_IDLE_BIG', 15000, 0),
  churnClients: num('BENCH_CHURN_CLIENTS', 200, 40),
  churnSeconds: num('BENCH_CHURN_SECONDS', 20, 4),
  scenarios: (process.env.BENCH_SCENARIOS || 'a,b,c,d,e,r').split(',').map((s) => s.trim()),
  floor: process.env.BENCH_FLOOR ? process.env.BENCH_FLOOR !== '0' : !QUICK, // quick: off unless BENCH_FLOOR=1
  repeat: num('BENCH_REPEAT', 1, 1),
  targets: process.env.BENCH_TARGETS ? process.env.BENCH_TARGETS.split(',') : null, // a, b, d: ws,ours,sio,peer
  redis: process.env.BENCH_REDIS !== '0',
};
const OUT = process.env.BENCH_OUT || path.join(__dirname, 'results');
const PER_WORKER = 5000; // sockets per load process (fd limit and event-loop headroom)
/** Timers that the churn check waits out; short so the run stays bounded. */
const CHURN_ENV = QUICK
  ? { RECONNECT_GRACE_MS: '1000', REMATCH_COOLDOWN_MS: '1000' }
  : { RECONNECT_GRACE_MS: '2000', REMATCH_COOLDOWN_MS: '2000' };

/** Other processes' CPU use during each measured window. */
const noise = [];
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

/** One target and one load worker, for fn(t, w); both stopped afterwards. */
function withTargetAndWorker(kind, opts, fn) {
  return withTarget(kind, opts, (t) => withWorkers(1, ([w]) => fn(t, w)));
}

/** Runs `cmd` on a worker and samples the server's CPU time at the worker's start/end marks. */
async function measured(t, w, cmd, args) {
  let a = null;
  let b = null;
  const sample = () => ({
    server: t.cpuSeconds(),
    load: procCpuSeconds(w.proc.pid),
    self: procCpuSeconds(process.pid),
    all: machineBusySeconds(),
  });
  const result = await w.call(cmd, args, {
    onMark: (m) => {
      if (m.mark === 'start') {
        a = sample();
        t.profileStart().catch(() => {});
      }
      if (m.mark === 'end') b = sample();
    },
  });
  await t.profileStop(`${t.label}-${cmd}-${args.mode || ''}`);
  const cpu = b.server - a.server;
  result.loadCpuUtil = (b.load - a.load) / result.seconds;
  // Busy time of everything else on the machine, in cores: noise from other processes.
  result.otherCpu = (b.all - a.all - cpu - (b.load - a.load) - (b.self - a.self)) / result.seconds;
  noise.push({ what: `${t.label} ${cmd} ${args.mode || ''}`.trim(), otherCpu: result.otherCpu });
  result.serverCpuSeconds = cpu;
  result.serverCpuUtil = cpu / result.seconds;
  result.cpuUsPerMsg = result.delivered ? (cpu * 1e6) / result.delivered : null;
  return result;
}

function check(cond, label) {
  if (!cond) throw new Error(label);
}

/** Connects `count` clients of target t from worker w; all of them must make it. */
async function connectAll(w, t, count, concurrency) {
  const c = await w.call('connect', { kind: t.client, url: t.url, count, concurrency });
  check(c.connected === count, `${t.label}: only ${c.connected}/${count} connected (${c.firstError})`);
  return c;
}

/** Runs fn CFG.repeat times (BENCH_REPEAT) and keeps the fastest run, the least disturbed by other processes. */
async function bestOfRepeat(fn) {
  let best = null;
  for (let i = 0; i < CFG.repeat; i++) {
    const run = await fn();
    if (!best || run.perSec > best.perSec) best = run;
  }
  return best;
}

// (a) pairing throughput and connect rate
async function scenarioPairing(kind) {
  return withTargetAndWorker(kind, {}, async (t, w) => {
    const n = CFG.clients;
    const cpu = () => [t.cpuSeconds(), procCpuSeconds(w.proc.pid), machineBusySeconds() - procCpuSeconds(process.pid)];
    const s0 = cpu();
    const c = await connectAll(w, t, n, 100);
    await sleep(1500); // let connect-time timers (user-count broadcasts) settle
    await t.profileStart();
    const s1 = cpu();
    const j = await w.call('join', { type: 'chat', timeoutMs: 60000 });
    const s2 = cpu();
    await t.profileStop(`${t.label}-join`);
    await w.call('closeAll', { waitMs: 500 });
    const other = (x, y, ms) => (y[2] - x[2] - (y[0] - x[0]) - (y[1] - x[1])) / (ms / 1000);
    noise.push({ what: `${t.label} connect`, otherCpu: other(s0, s1, c.ms + 1500) });
    noise.push({ what: `${t.label} join`, otherCpu: other(s1, s2, j.ms) });
    return {
      clients: n,
      connectMs: c.ms,
      connectPerSec: n / (c.ms / 1000),
      connectServerCpuUs: ((s1[0] - s0[0]) * 1e6) / n,
      connectServerBusy: (s1[0] - s0[0]) / (c.ms / 1000),
      connectLoadBusy: (s1[1] - s0[1]) / (c.ms / 1000),
      joinMs: j.ms,
      paired: j.paired,
      pairsPerSec: j.paired / 2 / (j.ms / 1000),
      pairServerCpuUs: ((s2[0] - s1[0]) * 1e6) / (j.paired / 2),
      joinServerBusy: (s2[0] - s1[0]) / (j.ms / 1000),
      joinLoadBusy: (s2[1] - s1[1]) / (j.ms / 1000),
      complete: j.paired >= j.want,
      errors: { ...c.errors, ...j.errors },
    };
  });
}

async function pairUp(t, w, n, type) {
  await connectAll(w, t, n, 50);
  const j = await w.call('join', { type, timeoutMs: 30000 });
  check(j.linked >= n - 1, `${t.label}: only ${j.linked}/${n} paired within one load process`);
}

// (b) chat relay at saturation, then at half of that rate
async function scenarioRelay(kind, opts = {}) {
  return withTargetAndWorker(kind, opts, async (t, w) => {
    await pairUp(t, w, CFG.pairs * 2, 'chat');
    const base = { warmup: CFG.warmup, seconds: CFG.seconds, size: CFG.msgSize };
    const sat = await bestOfRepeat(() => measured(t, w, 'relay', { ...base, mode: 'saturate', window: CFG.window }));
    const rate = Math.max(10, Math.round(sat.perSec / 2));
    const half = await measured(t, w, 'relay', { ...base, mode: 'rate', rate });
    return { sat, half };
  });
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
        await sleep(QUICK ? 500 : 1000);
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
async function scenarioSignal(kind, opts = {}) {
  return withTargetAndWorker(kind, opts, async (t, w) => {
    await pairUp(t, w, CFG.signalPairs * 2, 'video');
    return bestOfRepeat(() => measured(t, w, 'signal', { warmup: CFG.warmup, seconds: CFG.seconds, candidates: CFG.candidates }));
  });
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
  return withTargetAndWorker(kind, { inspect: true, env: CHURN_ENV }, async (t, w) => {
    const n = CFG.churnClients;
    await connectAll(w, t, n, 50);
    // Warm-up churn so lazily allocated pools and JIT code are in the baseline too.
    await w.call('churn', { kind: t.client, url: t.url, seconds: QUICK ? 1 : 3 });
    const settle = Number(
      process.env.BENCH_CHURN_SETTLE_MS || 2000 + Number(CHURN_ENV.RECONNECT_GRACE_MS) + Number(CHURN_ENV.REMATCH_COOLDOWN_MS),
    );
    await sleep(settle);
    const before = { mem: await t.gcMemory(), stats: await t.stats() };
    const run = await w.call(
      'churn',
      { kind: t.client, url: t.url, seconds: CFG.churnSeconds },
      { timeoutMs: (CFG.churnSeconds + 60) * 1000 },
    );
    await sleep(settle);
    const after = { mem: await t.gcMemory(), stats: await t.stats() };
    // Socket.io's connection-state recovery keeps disconnected sessions and every broadcast packet
    // until a 60 s sweep; measure again after it (full runs only).
    let late = null;
    if (!QUICK && process.env.BENCH_CHURN_LATE !== '0') {
      await sleep(61000);
      late = { mem: await t.gcMemory(), stats: await t.stats() };
    }
    return {
      clients: n,
      seconds: CFG.churnSeconds,
      settleMs: settle,
      run,
      before,
      after,
      late,
      b: pickStats(before.stats),
      a: pickStats(after.stats),
    };
  });
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
  if (
    !fs.existsSync(path.join(ROOT, 'dist', 'domain', 'redis')) ||
    !fs.readdirSync(path.join(ROOT, 'dist', 'domain', 'redis')).length
  )
    return 'no Redis implementation in dist/domain/redis';
  return null;
}

/** Child processes other than targets (redis-server), stopped by shutdown() too. */
const children = new Set();
async function stopChild(proc) {
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill('SIGTERM');
    await Promise.race([new Promise((r) => proc.once('exit', r)), sleep(3000)]);
  }
  children.delete(proc);
}

async function withRedis(fn) {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const proc = TASKSET
    ? spawn('taskset', ['-c', SERVER_CORE, 'redis-server', ...args], { stdio: 'ignore' })
    : spawn('redis-server', args, { stdio: 'ignore' });
  children.add(proc);
  try {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = await new Promise((r) => {
        const s = net.connect(port, '127.0.0.1', () => (s.end(), r(true)));
        s.on('error', () => r(false));
        s.setTimeout(1000, () => (s.destroy(), r(false)));
      });
      if (!up) await sleep(100);
    }
    check(up, 'redis-server did not start');
    return await fn(`redis://127.0.0.1:${port}`, proc.pid);
  } finally {
    await stopChild(proc);
  }
}

/** Two nodes of ours on one Redis, all on the server core; CPU is the sum of the three processes. */
async function withCluster(url, redisPid, fn) {
  // Production refuses a cluster without a shared IP salt (bans must hold across nodes).
  const env = { REDIS_URL: url, IP_HASH_SALT: 'bench' };
  const a = new Target('ours', { env, label: 'node A' });
  const b = new Target('ours', { env, label: 'node B' });
  try {
    await a.start();
    await b.start();
    const group = {
      label: 'ours ×2 + Redis',
      cpuSeconds: () => a.cpuSeconds() + b.cpuSeconds() + procCpuSeconds(redisPid),
      profileStart: () => a.profileStart(),
      profileStop: (name) => a.profileStop(`${name}-nodeA`),
    };
    return await fn(a, b, group);
  } finally {
    await a.stop();
    await b.stop();
  }
}

/** Calls of every Redis command so far (INFO commandstats; commands inside scripts count too). */
async function redisCommandCalls(url) {
  const { Redis } = require(path.join(ROOT, 'node_modules', 'ioredis'));
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 2000 });
  try {
    const info = await redis.info('commandstats');
    return Object.fromEntries([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
  } finally {
    redis.disconnect();
  }
}

/** Redis commands per relayed message over one relay call: all of them (INFO excluded), and publishes. */
function commandsPerMessage(before, after, sent) {
  const delta = (c) => (after[c] || 0) - (before[c] || 0);
  const all = Object.keys(after)
    .filter((c) => c !== 'info')
    .reduce((sum, c) => sum + delta(c), 0);
  return { all: all / sent, publish: (delta('spublish') + delta('publish') + delta('xadd')) / sent };
}

/**
 * A saturation relay on the cluster with the Redis commands it caused and redis-server's share of
 * the CPU, per message (over the whole call, warm-up and drain included, divided by all it sent).
 */
async function clusterRelay(url, redisPid, group, w, withHalf) {
  const base = { warmup: CFG.warmup, seconds: CFG.seconds, size: CFG.msgSize };
  const before = await redisCommandCalls(url);
  const redisCpu0 = procCpuSeconds(redisPid);
  const sat = await measured(group, w, 'relay', { ...base, mode: 'saturate', window: CFG.window });
  sat.redisCpuUsPerMsg = ((procCpuSeconds(redisPid) - redisCpu0) * 1e6) / sat.sent;
  const redisPerMsg = commandsPerMessage(before, await redisCommandCalls(url), sat.sent);
  const half = withHalf
    ? await measured(group, w, 'relay', { ...base, mode: 'rate', rate: Math.max(10, Math.round(sat.perSec / 2)) })
    : undefined;
  return { sat, half, redisPerMsg };
}

async function scenarioRedis() {
  return withRedis(async (url, redisPid) => {
    // Node-local relay: every client on node A, so every pair is on one node (node B idles, its
    // heartbeats counted in the cluster's CPU and Redis commands).
    const local = await withCluster(url, redisPid, (a, b, group) =>
      withWorkers(1, async ([w]) => {
        await connectAll(w, a, 2 * CFG.pairs, 50);
        const j = await w.call('join', { type: 'chat', timeoutMs: 30000 });
        check(j.linked >= 2 * CFG.pairs - 1, `redis local relay: only ${j.linked}/${2 * CFG.pairs} paired`);
        return { ...(await clusterRelay(url, redisPid, group, w, false)), crossNodePairs: j.crossPairs };
      }),
    ).catch((error) => {
      // Reported, and the cross-node scenarios still run (on a loaded machine not all 200 paired).
      log(`  redis local relay FAILED: ${error.message}`);
      return { error: error.message };
    });
    // Relay: half of the clients on each node, both sides of every pair in one load process, so
    // pairs are a mix of same-node and cross-node (through the Redis adapter).
    const relay = await withCluster(url, redisPid, (a, b, group) =>
      withWorkers(1, async ([w]) => {
        for (const node of [a, b]) await connectAll(w, node, CFG.pairs, 50);
        // Interest twins joined alternately: every pair spans the two nodes (the Redis path).
        const j = await w.call('join', { type: 'chat', timeoutMs: 30000, interleave: true, laneInterests: true });
        check(j.linked >= 2 * CFG.pairs - 1, `redis relay: only ${j.linked}/${2 * CFG.pairs} paired`);
        return { ...(await clusterRelay(url, redisPid, group, w, true)), crossNodePairs: j.crossPairs };
      }),
    );
    // Cross-node pairing: half the clients on each node; client i on A and client i on B share a
    // unique interest, so every pair spans the nodes. The single-node reference runs the same joins
    // (same interests) against one node in memory mode.
    const lanes = async (nodes, group) =>
      withWorkers(1, async ([w]) => {
        const half = Math.floor(CFG.clients / 2);
        for (const node of nodes) await connectAll(w, node, nodes.length === 2 ? half : 2 * half, 100);
        await sleep(1500);
        const c0 = group.cpuSeconds();
        const j = await w.call('join', { type: 'chat', interleave: true, laneInterests: true });
        const cpu = group.cpuSeconds() - c0;
        return {
          clients: 2 * half,
          paired: j.paired,
          ms: j.ms,
          pairsPerSec: j.paired / 2 / (j.ms / 1000),
          pairServerCpuUs: (cpu * 1e6) / (j.paired / 2),
          crossNodePairs: j.crossPairs,
          complete: j.paired >= j.want,
          errors: j.errors,
        };
      });
    const pairing = await withCluster(url, redisPid, (a, b, group) => lanes([a, b], group));
    const single = await withTarget('ours', {}, (t) => lanes([t], t));
    return { local, relay, pairing, single };
  });
}

/**
 * Waits (bounded by BENCH_QUIET_WAIT seconds) until other processes use under 15 % of a core, so a
 * scenario does not start while, say, a test suite is running. The wait is reported, not hidden.
 */
const QUIET_WAIT_S = Number(process.env.BENCH_QUIET_WAIT ?? (QUICK ? 0 : 10));
const QUIET_TOTAL_S = Number(process.env.BENCH_QUIET_TOTAL ?? 60);
let quietSpent = 0;
const quietLog = [];
async function waitQuiet(key) {
  if (!QUIET_WAIT_S || quietSpent >= QUIET_TOTAL_S) return;
  const t0 = Date.now();
  const deadline = t0 + QUIET_WAIT_S * 1000;
  let other = 0;
  for (let i = 0; i < QUIET_WAIT_S + 1; i++) {
    const a = machineBusySeconds() - procCpuSeconds(process.pid);
    await sleep(1000);
    other = machineBusySeconds() - procCpuSeconds(process.pid) - a;
    if (other < 0.15 || Date.now() >= deadline) break;
  }
  quietSpent += (Date.now() - t0) / 1000;
  if (other < 0.15) return;
  quietLog.push({ key, otherCpu: other });
  log(`  machine still busy before ${key} (other processes ${Math.round(other * 100)} % of a core); going ahead`);
}

async function step(results, key, fn) {
  await waitQuiet(key);
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
  const oursScript = KINDS.ours.script;
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
  // bufferutil measured both ways: switched off when installed, or added from BENCH_BUFFERUTIL_DIR
  // (a node_modules dir holding it, e.g. after `npm install --prefix /tmp/bu bufferutil`) when not.
  const buVariant = machine.bufferutil
    ? { env: { WS_NO_BUFFER_UTIL: '1' }, label: 'ours without bufferutil', variant: 'without bufferutil' }
    : process.env.BENCH_BUFFERUTIL_DIR
      ? {
          env: { NODE_PATH: path.resolve(process.env.BENCH_BUFFERUTIL_DIR) },
          label: 'ours with bufferutil',
          variant: 'with bufferutil',
        }
      : null;
  machine.bufferutilVariant = buVariant && buVariant.variant;
  const only = (ks) => ks.filter((k) => !CFG.targets || CFG.targets.includes(k));
  if (has('a')) for (const k of only(['ws', 'ours', ...floor])) await step(r, `pairing.${k}`, () => scenarioPairing(k));
  if (has('b')) {
    for (const k of only(['ws', 'ours', ...floor])) await step(r, `relay.${k}`, () => scenarioRelay(k));
    if (!QUICK)
      await step(r, 'relay.ours_norecovery', () =>
        scenarioRelay('ours', { env: { RECONNECT_GRACE_MS: '0' }, label: 'ours (recovery off)' }),
      );
    if (buVariant && !QUICK) await step(r, 'relay.ours_bufferutil', () => scenarioRelay('ours', buVariant));
  }
  if (has('c')) {
    await step(r, 'idle.ws', () => scenarioIdle('ws', 0));
    await step(r, 'idle.ours', () => scenarioIdle('ours', CFG.idleBig));
    if (CFG.floor && !QUICK) await step(r, 'idle.sio', () => scenarioIdle('sio', 0));
  }
  if (has('d')) {
    for (const k of only(['ws', 'peer', 'ours', ...floor])) await step(r, `signal.${k}`, () => scenarioSignal(k));
    if (buVariant && !QUICK) await step(r, 'signal.ours_bufferutil', () => scenarioSignal('ours', buVariant));
  }
  if (has('e')) await step(r, 'churn.ours', () => scenarioChurn('ours'));
  if (has('r') && CFG.redis) {
    const why = redisSupported();
    if (why) r.redis = { skipped: why };
    else await step(r, 'redis', scenarioRedis);
  }
  const out = {
    date: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
    config: CFG,
    machine,
    results: r,
    noise,
    quietLog,
  };
  const md = render(out);
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, QUICK ? 'quick.json' : 'latest.json'), JSON.stringify(out, null, 2));
  fs.writeFileSync(path.join(OUT, QUICK ? 'quick.md' : 'latest.md'), md);
  // --doc: replace the table in BENCHMARKS.md between its bench markers with this run's.
  if (process.argv.includes('--doc')) {
    const doc = path.join(ROOT, 'BENCHMARKS.md');
    const text = fs.readFileSync(doc, 'utf8');
    const [open, close] = ['<!-- bench:start -->', '<!-- bench:end -->'];
    const a = text.indexOf(open);
    const b = text.indexOf(close);
    if (a < 0 || b < a) log('BENCHMARKS.md has no bench markers; not updated');
    else fs.writeFileSync(doc, `${text.slice(0, a + open.length)}\n${md}${text.slice(b)}`);
  }
  process.stdout.write(md);
  const failed = Object.entries(r).filter(([, v]) => v && v.error);
  for (const [k, v] of failed) log(`FAILED ${k}: ${v.error.split('\n')[0]}`);
  log(`done in ${out.seconds.toFixed(0)} s; wrote ${path.relative(ROOT, OUT)}/${QUICK ? 'quick' : 'latest'}.{md,json}`);
  return failed.length;
}

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  await Promise.all([stopAll(), ...[...children].map(stopChild)]);
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

// Exit 1 when a scenario failed to run (a smoke check for CI); missed targets do not fail the run.
main().then(
  (failed) => shutdown(failed ? 1 : 0),
  (err) => {
    console.error(err);
    shutdown(1);
  },
);
