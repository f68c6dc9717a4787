'use strict';
/** (c) idle memory: slope of heap (after GC) and RSS over a ramp of idle connected sockets. */
const { sleep } = require('../lib/targets');
const { check } = require('../lib/harness');
const { get, okNum, atMost } = require('../lib/table');
const { pickConnected } = require('../lib/stats');

const PER_WORKER = 5000; // sockets per load process (fd limit and event-loop headroom)

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

async function idle(h, kind, big) {
  const { cfg } = h;
  return h.withTarget(kind, { inspect: true }, async (t) => {
    const top = Math.max(cfg.idleMax, big || 0);
    return h.withWorkers(Math.ceil(top / PER_WORKER), async (workers) => {
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
        await sleep(cfg.quick ? 500 : 1000);
        const m = await t.gcMemory();
        steps.push({ sockets, ...m });
        h.log(
          `  ${t.label} idle ${sockets}: heap ${(m.heapUsed / 2 ** 20).toFixed(1)} MB, rss ${(m.rss / 2 ** 20).toFixed(1)} MB`,
        );
        return m;
      };
      await sample(0);
      let n = 0;
      while (n < cfg.idleMax) {
        const k = Math.min(cfg.idleStep, cfg.idleMax - n);
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

module.exports = {
  name: 'idle',
  aliases: ['c'],
  async run(h) {
    await h.step('idle.ws', () => idle(h, 'ws', 0));
    await h.step('idle.ours', () => idle(h, 'ours', h.cfg.idleBig));
    if (h.cfg.floor && !h.cfg.quick) await h.step('idle.sio', () => idle(h, 'sio', 0));
  },
  report(table, r) {
    if (!r['idle.ours'] && !r['idle.ws']) return;
    const pick = table.picker('idle');
    const kb = (v) => v / 1024;
    table.vsWs('c. RSS per idle socket', 'KB', {
      ...pick('rssPerSocket', kb),
      lower: true,
      digits: 1,
      target: '≤ 2×',
      pass: atMost(2),
    });
    table.vsWs('c. Heap per idle socket', 'KB', {
      ...pick('heapPerSocket', kb),
      lower: true,
      digits: 2,
      target: '≤ 6 KB',
      pass: (o) => (okNum(o) ? o <= 6 : null),
    });
    const big = get(r['idle.ours'], 'big');
    if (big) {
      table.vsWs(`c. RSS with ${big.sockets.toLocaleString('en-US')} idle sockets`, 'MB', {
        ours: big.rss / 2 ** 20,
        noWs: true,
        digits: 0,
        target: '< 400 MB',
        pass: (o) => (okNum(o) ? o < 400 : null),
      });
    }
  },
};
