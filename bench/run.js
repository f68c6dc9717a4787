#!/usr/bin/env node
'use strict';
/**
 * npm run bench [-- --quick] [-- --doc]
 *
 * Runs every scenario (bench/scenarios/) against our server (dist/index.js) and, in the same run, against a raw `ws`
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
 *   BENCH_SCENARIOS      pairing,relay,idle,signal,churn,redis,handshake-flood (all; the letters
 *                        a,b,c,d,e,r,f and `cluster` for redis work too)
 *   BENCH_TARGETS        ws,ours,sio,peer (pairing, relay, signal)
 *   BENCH_REPEAT         best of N saturation runs (1)   BENCH_FLOOR=0|1      socket.io floor (on; quick: off)
 *   BENCH_REDIS=0        skip Redis mode                 BENCH_OUT            results dir (bench/results)
 *   BENCH_QUIET_WAIT     s to wait for other processes to go quiet before each scenario (10; quick 0),
 *                        at most BENCH_QUIET_TOTAL s per run (60)
 *   BENCH_BUFFERUTIL_DIR a node_modules dir holding bufferutil, to measure with it when it is not installed
 *   BENCH_PROFILE_DIR    write V8 CPU profiles of ours for every measured window (summarise: node bench/profile.js DIR)
 *   BENCH_CPU_PROF       same with --cpu-prof for the whole life of every ours process
 *   BENCH_OURS_SCRIPT    run another script as "ours" (default dist/index.js)
 *   BENCH_FLOOD_SECONDS  handshake flood length, s (30; quick 5)   BENCH_FLOOD_CONCURRENCY  handshakes in flight (50)
 *   BENCH_MAX_MINUTES    hard ceiling for the whole run (20; quick 5)
 *
 * Each scenario is a module in bench/scenarios/ (its runs and its rows of the table); this file
 * only reads the config, waits for a quiet machine before each step, and writes the results.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  pinSelf,
  procCpuSeconds,
  machineBusySeconds,
  sleep,
  TASKSET,
  SERVER_CORE,
  LOAD_CORE,
  ROOT,
  KINDS,
} = require('./lib/targets');
const { Harness } = require('./lib/harness');
const { render } = require('./lib/report');
const { SCENARIOS, select } = require('./scenarios');

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
  floodSeconds: num('BENCH_FLOOD_SECONDS', 30, 5),
  floodConcurrency: num('BENCH_FLOOD_CONCURRENCY', 50, 50),
  scenarios: null, // names, from BENCH_SCENARIOS (below)
  floor: process.env.BENCH_FLOOR ? process.env.BENCH_FLOOR !== '0' : !QUICK, // quick: off unless BENCH_FLOOR=1
  repeat: num('BENCH_REPEAT', 1, 1),
  targets: process.env.BENCH_TARGETS ? process.env.BENCH_TARGETS.split(',') : null, // pairing, relay, signal: ws,ours,sio,peer
  redis: process.env.BENCH_REDIS !== '0',
};
const OUT = process.env.BENCH_OUT || path.join(__dirname, 'results');

const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

let scenarios;
try {
  scenarios = process.env.BENCH_SCENARIOS ? select(process.env.BENCH_SCENARIOS) : SCENARIOS;
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
CFG.scenarios = scenarios.map((s) => s.name);

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

/** Runs fn after a quiet wait and stores its result, or its error, as results[key]. */
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

/** bufferutil measured both ways: switched off when installed, or added from BENCH_BUFFERUTIL_DIR
 * (a node_modules dir holding it, e.g. after `npm install --prefix /tmp/bu bufferutil`) when not. */
function bufferutilVariant(machine) {
  if (machine.bufferutil)
    return { env: { WS_NO_BUFFER_UTIL: '1' }, label: 'ours without bufferutil', variant: 'without bufferutil' };
  if (process.env.BENCH_BUFFERUTIL_DIR)
    return {
      env: { NODE_PATH: path.resolve(process.env.BENCH_BUFFERUTIL_DIR) },
      label: 'ours with bufferutil',
      variant: 'with bufferutil',
    };
  return null;
}

let harness = null;

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
  const buVariant = bufferutilVariant(machine);
  machine.bufferutilVariant = buVariant && buVariant.variant;
  harness = new Harness({ cfg: CFG, log, step: (key, fn) => step(r, key, fn), buVariant });
  for (const s of scenarios) await s.run(harness, r);
  const out = {
    date: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
    config: CFG,
    machine,
    results: r,
    noise: harness.noise,
    quietLog,
  };
  const md = render(out, SCENARIOS);
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
  if (harness) await harness.stopAll();
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
