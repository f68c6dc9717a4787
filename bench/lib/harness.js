'use strict';
/**
 * What every scenario (bench/scenarios/) is given: the run's config, a log, step() to record one
 * result, and the ways to start targets and load workers and to measure a load window on them.
 */
const { Target, LoadWorker, stopAll, procCpuSeconds, machineBusySeconds, TASKSET, SERVER_CORE } = require('./targets');
const { startRedis } = require('../../tests/helpers/loopback');

function check(cond, label) {
  if (!cond) throw new Error(label);
}

class Harness {
  /**
   * @param cfg the run's config (CFG in bench/run.js)
   * @param log progress lines on stderr
   * @param step step(key, fn): runs fn after a quiet wait and stores its result (or error) under key
   * @param buVariant ours with bufferutil toggled ({ env, label, variant }), or null
   */
  constructor({ cfg, log, step, buVariant }) {
    this.cfg = cfg;
    this.log = log;
    this.step = step;
    this.buVariant = buVariant;
    /** Other processes' CPU use during each measured window. */
    this.noise = [];
    /** The socket.io floor as an extra target (BENCH_FLOOR). */
    this.floor = cfg.floor ? ['sio'] : [];
    /** redis-servers started by withRedis and not yet stopped. */
    this.redisServers = new Set();
  }

  /** The targets among `kinds` that BENCH_TARGETS lets run (all when unset). */
  only(kinds) {
    return kinds.filter((k) => !this.cfg.targets || this.cfg.targets.includes(k));
  }

  async withTarget(kind, opts, fn) {
    const t = new Target(kind, opts);
    await t.start();
    try {
      return await fn(t);
    } finally {
      await t.stop();
    }
  }

  async withWorkers(n, fn) {
    const ws = Array.from({ length: n }, () => new LoadWorker());
    try {
      return await fn(ws);
    } finally {
      await Promise.all(ws.map((w) => w.exit()));
    }
  }

  /** One target and one load worker, for fn(t, w); both stopped afterwards. */
  withTargetAndWorker(kind, opts, fn) {
    return this.withTarget(kind, opts, (t) => this.withWorkers(1, ([w]) => fn(t, w)));
  }

  /** Runs `cmd` on a worker and samples the server's CPU time at the worker's start/end marks. */
  async measured(t, w, cmd, args) {
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
    this.noise.push({ what: `${t.label} ${cmd} ${args.mode || ''}`.trim(), otherCpu: result.otherCpu });
    result.serverCpuSeconds = cpu;
    result.serverCpuUtil = cpu / result.seconds;
    result.cpuUsPerMsg = result.delivered ? (cpu * 1e6) / result.delivered : null;
    return result;
  }

  /** Connects `count` clients of target t from worker w; all of them must make it. */
  async connectAll(w, t, count, concurrency) {
    const c = await w.call('connect', { kind: t.client, url: t.url, count, concurrency });
    check(c.connected === count, `${t.label}: only ${c.connected}/${count} connected (${c.firstError})`);
    return c;
  }

  /** Connects n clients and pairs them all (type chat or video) within one load process. */
  async pairUp(t, w, n, type) {
    await this.connectAll(w, t, n, 50);
    const j = await w.call('join', { type, timeoutMs: 30000 });
    check(j.linked >= n - 1, `${t.label}: only ${j.linked}/${n} paired within one load process`);
  }

  /**
   * A private redis-server on a free port (pinned to the server core), for fn(url, pid); stopped
   * afterwards, or by stopAll() when the run is interrupted.
   */
  async withRedis(fn) {
    const redis = await startRedis({ prefix: TASKSET ? ['taskset', '-c', SERVER_CORE] : [] });
    this.redisServers.add(redis);
    try {
      return await fn(redis.url, redis.pid);
    } finally {
      await redis.stop();
      this.redisServers.delete(redis);
    }
  }

  /** Stops every target and redis-server still running (an interrupted run). */
  async stopAll() {
    await Promise.all([stopAll(), ...[...this.redisServers].map((r) => r.stop())]);
  }

  /** Runs fn cfg.repeat times (BENCH_REPEAT) and keeps the fastest run, the least disturbed by other processes. */
  async bestOfRepeat(fn) {
    let best = null;
    for (let i = 0; i < this.cfg.repeat; i++) {
      const run = await fn();
      if (!best || run.perSec > best.perSec) best = run;
    }
    return best;
  }
}

module.exports = { Harness, check };
