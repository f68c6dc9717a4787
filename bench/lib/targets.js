'use strict';
/**
 * Servers under test as child processes (pinned to the server core), load workers as child processes
 * (pinned to the load core), and what we read from outside: /proc CPU time and RSS, GET /stats, and
 * heap after a forced GC through the V8 inspector (works for any Node server, no code changes).
 */
const { spawn, fork, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const WebSocket = require('ws');
const { freePort } = require('../../tests/helpers/loopback');

const ROOT = path.resolve(__dirname, '..', '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function hasTaskset() {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const TASKSET = hasTaskset();
const CORES = require('node:os').cpus().length;
const SERVER_CORE = process.env.BENCH_SERVER_CORE || '0';
const LOAD_CORE = process.env.BENCH_LOAD_CORE || (CORES > 1 ? '1' : '0');
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process (all threads), in seconds, from /proc/<pid>/stat. */
function procCpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** CPU seconds spent by the whole machine (all cores, busy time only), from /proc/stat. */
function machineBusySeconds() {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - f[3] - f[4]) / CLK_TCK; // minus idle and iowait
}

function httpGet(port, urlPath, timeoutMs = 3000) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function getJson(port, urlPath) {
  const { status, body } = await httpGet(port, urlPath);
  if (status !== 200) throw new Error(`GET ${urlPath} → ${status}`);
  return JSON.parse(body);
}

/**
 * Generous limits so the benchmark measures the relay, not the rate limiter (the handshake flood
 * unsets them: it measures the defaults).
 */
const RAISED_LIMITS = {
  RATE_LIMIT_POINTS: '1000000',
  JOIN_RATE_LIMIT_POINTS: '1000000',
  ADDRESS_JOIN_RATE_LIMIT_POINTS: '1000000',
  MESSAGE_RATE_LIMIT_POINTS: '1000000',
  MAX_CONNECTIONS_PER_IP: '1000000',
  MAX_CONNECTIONS: '1000000',
  CONNECTION_RATE_LIMIT_POINTS: '1000000',
  HTTP_RATE_LIMIT_POINTS: '1000000',
  RATE_LIMIT_DISCONNECT_AFTER: '1000000',
};

/**
 * REDIS_URL is cleared so a value from the shell or a .env file cannot turn memory mode into Redis
 * mode (or send traffic off this machine); the Redis scenario sets its own.
 */
const OURS_ENV = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  REDIS_URL: '',
  ...RAISED_LIMITS,
  SERVE_DEMO: 'false',
};

const KINDS = {
  ours: { script: process.env.BENCH_OURS_SCRIPT || 'dist/index.js', client: 'sio', label: 'ours', env: OURS_ENV },
  sio: { script: 'bench/baselines/sio-relay.js', client: 'sio', label: 'socket.io floor', env: {} },
  ws: { script: 'bench/baselines/ws-relay.js', client: 'ws', label: 'raw ws', env: {} },
  peer: { script: 'bench/baselines/peer-server.js', client: 'peer', label: 'PeerJS', env: {} },
};

const live = new Set();

class Target {
  constructor(kind, opts = {}) {
    this.kind = kind;
    this.def = KINDS[kind];
    this.opts = opts;
    this.client = this.def.client;
    this.label = opts.label || this.def.label;
  }
  async start() {
    this.port = await freePort();
    const nodeArgs = [];
    // BENCH_CPU_PROF=<dir>: write a V8 CPU profile of every `ours` process (see bench/profile.js).
    if (this.kind === 'ours' && process.env.BENCH_CPU_PROF)
      nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`);
    if (this.opts.inspect || (this.kind === 'ours' && process.env.BENCH_PROFILE_DIR)) {
      this.inspectPort = await freePort();
      nodeArgs.push(`--inspect=127.0.0.1:${this.inspectPort}`);
    }
    const env = { ...process.env, ...this.def.env, ...(this.opts.env || {}), PORT: String(this.port) };
    delete env.NODE_OPTIONS;
    const argv = [...nodeArgs, path.join(ROOT, this.def.script)];
    const [cmd, args] = TASKSET ? ['taskset', ['-c', SERVER_CORE, process.execPath, ...argv]] : [process.execPath, argv];
    this.proc = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this);
    this.pid = this.proc.pid; // taskset execs node: same pid
    this.stderr = '';
    this.proc.stderr.on('data', (d) => {
      if (this.stderr.length < 20000) this.stderr += d;
    });
    this.proc.stdout.on('data', () => {});
    this.exited = false;
    this.proc.on('exit', () => {
      this.exited = true;
      live.delete(this);
    });
    this.url = `http://127.0.0.1:${this.port}`;
    const deadline = Date.now() + 30000;
    for (let i = 0; i < 300 && Date.now() < deadline; i++) {
      if (this.exited) throw new Error(`${this.label} exited during start:\n${this.stderr.slice(-2000)}`);
      try {
        if ((await httpGet(this.port, '/health', 1000)).status === 200) return this;
      } catch {
        /* not yet */
      }
      await sleep(100);
    }
    throw new Error(`${this.label} not ready in 30 s:\n${this.stderr.slice(-2000)}`);
  }
  cpuSeconds() {
    return procCpuSeconds(this.pid);
  }
  rssBytes() {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  }
  stats() {
    return getJson(this.port, '/stats');
  }
  /** GET urlPath's body (GET /metrics, for instance); throws unless 200. */
  async getText(urlPath) {
    const { status, body } = await httpGet(this.port, urlPath);
    if (status !== 200) throw new Error(`GET ${urlPath} → ${status}`);
    return body;
  }
  /** Forces full GCs through the inspector, then returns process.memoryUsage() and RSS from /proc. */
  async gcMemory() {
    if (!this.inspectPort) throw new Error('start with inspect: true');
    await this.ensureInspector();
    for (let i = 0; i < 3; i++) await this.inspector.call('HeapProfiler.collectGarbage');
    await sleep(200);
    const r = await this.inspector.call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    const mem = JSON.parse(r.result.value);
    return { heapUsed: mem.heapUsed, external: mem.external, rssNode: mem.rss, rss: this.rssBytes() };
  }
  async ensureInspector() {
    if (!this.inspector) {
      const list = await getJson(this.inspectPort, '/json/list');
      const ws = new WebSocket(list[0].webSocketDebuggerUrl, { perMessageDeflate: false, handshakeTimeout: 10000 });
      await new Promise((res, rej) => ws.once('open', res).once('error', rej));
      const pending = new Map();
      ws.on('message', (d) => {
        const m = JSON.parse(d);
        if (m.id && pending.has(m.id)) {
          pending.get(m.id)(m);
          pending.delete(m.id);
        }
      });
      let seq = 0;
      this.inspector = {
        ws,
        call: (method, params = {}) =>
          new Promise((resolve, reject) => {
            const id = ++seq;
            const t = setTimeout(() => reject(new Error(`inspector ${method} timeout`)), 60000);
            pending.set(id, (m) => {
              clearTimeout(t);
              if (m.error) reject(new Error(m.error.message));
              else resolve(m.result);
            });
            ws.send(JSON.stringify({ id, method, params }));
          }),
      };
    }
  }
  /** V8 CPU profile of a window (BENCH_PROFILE_DIR): start, then stop(name) writes <dir>/<name>.cpuprofile. */
  async profileStart() {
    if (!this.inspectPort) return;
    await this.ensureInspector();
    await this.inspector.call('Profiler.enable');
    await this.inspector.call('Profiler.setSamplingInterval', { interval: 200 });
    await this.inspector.call('Profiler.start');
  }
  async profileStop(name) {
    if (!this.inspectPort || !process.env.BENCH_PROFILE_DIR) return;
    const { profile } = await this.inspector.call('Profiler.stop');
    fs.mkdirSync(process.env.BENCH_PROFILE_DIR, { recursive: true });
    const file = path.join(process.env.BENCH_PROFILE_DIR, `${name.replace(/[^\w.-]+/g, '_')}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
  }
  async stop() {
    if (this.inspector) this.inspector.ws.close();
    if (this.exited || !this.proc) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    const ok = await Promise.race([exited.then(() => true), sleep(15000).then(() => false)]);
    if (!ok) {
      this.proc.kill('SIGKILL');
      await Promise.race([exited, sleep(3000)]);
    }
  }
}

/** A load process pinned to the load core, driven over IPC. */
class LoadWorker {
  constructor() {
    const script = path.join(__dirname, 'worker.js');
    const opts = { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env } };
    delete opts.env.NODE_OPTIONS;
    if (TASKSET) {
      opts.execPath = 'taskset';
      opts.execArgv = ['-c', LOAD_CORE, process.execPath, '--max-old-space-size=4096'];
    } else {
      opts.execArgv = ['--max-old-space-size=4096'];
    }
    this.proc = fork(script, [], opts);
    this.seq = 0;
    this.pending = new Map();
    this.onMark = null;
    this.proc.on('message', (m) => {
      if (m.mark) return this.onMark && this.onMark(m);
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
    this.proc.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`load worker exited (${code})`));
      this.pending.clear();
    });
  }
  call(cmd, args = {}, { onMark = null, timeoutMs = 300000 } = {}) {
    this.onMark = onMark;
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`worker ${cmd} timed out`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(t), resolve(v)),
        reject: (e) => (clearTimeout(t), reject(e)),
      });
      this.proc.send({ id, cmd, ...args });
    });
  }
  async exit() {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    try {
      this.proc.send({ cmd: 'exit' });
    } catch {
      /* gone */
    }
    if (!(await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]))) this.proc.kill('SIGKILL');
  }
}

async function stopAll() {
  await Promise.all([...live].map((t) => t.stop()));
}

function pinSelf() {
  if (TASKSET) {
    try {
      execFileSync('taskset', ['-a', '-pc', LOAD_CORE, String(process.pid)], { stdio: 'ignore' });
    } catch {
      /* best effort */
    }
  }
}

module.exports = {
  machineBusySeconds,
  procCpuSeconds,
  Target,
  LoadWorker,
  stopAll,
  pinSelf,
  freePort,
  sleep,
  TASKSET,
  SERVER_CORE,
  LOAD_CORE,
  ROOT,
  KINDS,
  RAISED_LIMITS,
};
