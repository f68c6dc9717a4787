'use strict';
/** (r) Redis mode: two nodes of ours sharing one redis-server we start ourselves. */
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Target, procCpuSeconds, sleep, ROOT } = require('../lib/targets');
const { check } = require('../lib/harness');
const { get, fmt, verdict } = require('../lib/table');

/** Why Redis mode cannot run here, or null. */
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
async function clusterRelay(h, url, redisPid, group, w, withHalf) {
  const { cfg } = h;
  const base = { warmup: cfg.warmup, seconds: cfg.seconds, size: cfg.msgSize };
  const before = await redisCommandCalls(url);
  const redisCpu0 = procCpuSeconds(redisPid);
  const sat = await h.measured(group, w, 'relay', { ...base, mode: 'saturate', window: cfg.window });
  sat.redisCpuUsPerMsg = ((procCpuSeconds(redisPid) - redisCpu0) * 1e6) / sat.sent;
  const redisPerMsg = commandsPerMessage(before, await redisCommandCalls(url), sat.sent);
  const half = withHalf
    ? await h.measured(group, w, 'relay', { ...base, mode: 'rate', rate: Math.max(10, Math.round(sat.perSec / 2)) })
    : undefined;
  return { sat, half, redisPerMsg };
}

async function cluster(h) {
  const { cfg } = h;
  return h.withRedis(async (url, redisPid) => {
    // Node-local relay: every client on node A, so every pair is on one node (node B idles, its
    // heartbeats counted in the cluster's CPU and Redis commands).
    const local = await withCluster(url, redisPid, (a, b, group) =>
      h.withWorkers(1, async ([w]) => {
        await h.connectAll(w, a, 2 * cfg.pairs, 50);
        const j = await w.call('join', { type: 'chat', timeoutMs: 30000 });
        check(j.linked >= 2 * cfg.pairs - 1, `redis local relay: only ${j.linked}/${2 * cfg.pairs} paired`);
        return { ...(await clusterRelay(h, url, redisPid, group, w, false)), crossNodePairs: j.crossPairs };
      }),
    ).catch((error) => {
      // Reported, and the cross-node scenarios still run (on a loaded machine not all 200 paired).
      h.log(`  redis local relay FAILED: ${error.message}`);
      return { error: error.message };
    });
    // Relay: half of the clients on each node, both sides of every pair in one load process, so
    // pairs are a mix of same-node and cross-node (through the Redis adapter).
    const relay = await withCluster(url, redisPid, (a, b, group) =>
      h.withWorkers(1, async ([w]) => {
        for (const node of [a, b]) await h.connectAll(w, node, cfg.pairs, 50);
        // Interest twins joined alternately: every pair spans the two nodes (the Redis path).
        const j = await w.call('join', { type: 'chat', timeoutMs: 30000, interleave: true, laneInterests: true });
        check(j.linked >= 2 * cfg.pairs - 1, `redis relay: only ${j.linked}/${2 * cfg.pairs} paired`);
        return { ...(await clusterRelay(h, url, redisPid, group, w, true)), crossNodePairs: j.crossPairs };
      }),
    );
    // Cross-node pairing: half the clients on each node; client i on A and client i on B share a
    // unique interest, so every pair spans the nodes. The single-node reference runs the same joins
    // (same interests) against one node in memory mode.
    const lanes = async (nodes, group) =>
      h.withWorkers(1, async ([w]) => {
        const half = Math.floor(cfg.clients / 2);
        for (const node of nodes) await h.connectAll(w, node, nodes.length === 2 ? half : 2 * half, 100);
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
    const single = await h.withTarget('ours', {}, (t) => lanes([t], t));
    return { local, relay, pairing, single };
  });
}

/** Rows comparing the cluster with memory mode (relay) and with one node (pairing). */
function report(table, r) {
  const R = r.redis;
  if (R && R.skipped) table.skips.push(`Redis mode skipped: ${R.skipped}.`);
  if (!R || R.skipped || R.error) return;
  const mem = r['relay.ours'];
  const single = R.single; // same interest-twin joins against one node in memory mode
  const commands = (p) => {
    const c = get(R, p);
    return c ? `${fmt(c.publish, 2)} publish / ${fmt(c.all, 2)} all` : undefined;
  };
  /** An information row whose reference (memory mode) is 0 by construction. */
  const vsZero = (metric, ours, target = 'info', result = '') => table.row(metric, { ours, ws: 'memory: 0', target, result });
  if (R.local?.error)
    table.row('r. Redis, 2 nodes: node-local relay', {
      ours: 'failed',
      ws: R.local.error,
      target: '≥ 80 % of memory mode',
      result: 'n/a',
    });
  else if (R.local) {
    table.vsRef(
      `r. Redis, 2 nodes: chat relay at saturation, ${fmt(get(R, 'local.sat.pairs'), 0)} node-local pairs`,
      'msgs/s',
      get(R, 'local.sat.perSec'),
      get(mem, 'sat.perSec'),
      { target: '≥ 80 % of memory mode', pass: (o, m) => o / m >= 0.8 },
    );
    table.vsRef(
      'r. Redis, 2 nodes: server CPU per chat msg, node-local (nodes + redis)',
      'µs',
      get(R, 'local.sat.cpuUsPerMsg'),
      get(mem, 'sat.cpuUsPerMsg'),
      { lower: true, digits: 1 },
    );
    vsZero('r. redis-server CPU per chat msg, node-local (µs)', fmt(get(R, 'local.sat.redisCpuUsPerMsg'), 1));
    const local = get(R, 'local.redisPerMsg');
    vsZero(
      'r. Redis commands per relayed chat msg, node-local',
      commands('local.redisPerMsg') ?? '–',
      '0 publish',
      local ? verdict(local.publish === 0) : '',
    );
  }
  table.vsRef(
    `r. Redis, 2 nodes: chat relay at saturation, ${fmt(get(R, 'relay.crossNodePairs'), 0)} cross-node pairs`,
    'msgs/s',
    get(R, 'relay.sat.perSec'),
    get(mem, 'sat.perSec'),
    { target: '≥ 50 % of memory mode', pass: (o, m) => o / m >= 0.5 },
  );
  if (R.relay?.sat?.redisCpuUsPerMsg != null)
    vsZero('r. redis-server CPU per chat msg, cross-node (µs)', fmt(get(R, 'relay.sat.redisCpuUsPerMsg'), 1));
  if (R.relay?.redisPerMsg) vsZero('r. Redis commands per relayed chat msg, cross-node', commands('relay.redisPerMsg'));
  table.vsRef(
    'r. Redis, 2 nodes: server CPU per chat msg (nodes + redis)',
    'µs',
    get(R, 'relay.sat.cpuUsPerMsg'),
    get(mem, 'sat.cpuUsPerMsg'),
    { lower: true, digits: 1 },
  );
  table.vsRef(
    'r. Redis, 2 nodes: latency p99 at ½ saturation',
    'ms',
    get(R, 'relay.half.latencyMs.p99'),
    get(mem, 'half.latencyMs.p99'),
    {
      lower: true,
    },
  );
  table.vsRef(
    `r. Redis, 2 nodes: pairing of interest twins (${fmt(get(R, 'pairing.crossNodePairs'), 0)} of ${fmt(get(R, 'pairing.paired') / 2, 0)} pairs cross-node)`,
    'pairs/s',
    get(R, 'pairing.pairsPerSec'),
    get(single, 'pairsPerSec'),
    { ref: '1 node', target: '≥ 50 % of single node', pass: (o, m) => o / m >= 0.5 },
  );
  table.vsRef(
    'r. Redis, 2 nodes: server CPU per pair (nodes + redis)',
    'µs',
    get(R, 'pairing.pairServerCpuUs'),
    get(single, 'pairServerCpuUs'),
    {
      ref: '1 node',
      lower: true,
      digits: 0,
    },
  );
}

module.exports = {
  name: 'redis',
  aliases: ['r', 'cluster'],
  async run(h, results) {
    if (!h.cfg.redis) return;
    const why = redisSupported();
    if (why) results.redis = { skipped: why };
    else await h.step('redis', () => cluster(h));
  },
  report,
};
