'use strict';
/** (e) churn, then heap, rooms and queues against the baseline taken before it. */
const { sleep } = require('../lib/targets');
const { fmt, verdict } = require('../lib/table');
const { pickStats } = require('../lib/stats');

/** Timers that the churn check waits out; short so the run stays bounded. */
const churnEnv = (quick) =>
  quick
    ? { RECONNECT_GRACE_MS: '1000', REMATCH_COOLDOWN_MS: '1000' }
    : { RECONNECT_GRACE_MS: '2000', REMATCH_COOLDOWN_MS: '2000' };

async function churn(h, kind) {
  const { cfg } = h;
  const env = churnEnv(cfg.quick);
  return h.withTargetAndWorker(kind, { inspect: true, env }, async (t, w) => {
    const n = cfg.churnClients;
    await h.connectAll(w, t, n, 50);
    // Warm-up churn so lazily allocated pools and JIT code are in the baseline too.
    await w.call('churn', { kind: t.client, url: t.url, seconds: cfg.quick ? 1 : 3 });
    const settle = Number(
      process.env.BENCH_CHURN_SETTLE_MS || 2000 + Number(env.RECONNECT_GRACE_MS) + Number(env.REMATCH_COOLDOWN_MS),
    );
    await sleep(settle);
    const before = { mem: await t.gcMemory(), stats: await t.stats() };
    const run = await w.call(
      'churn',
      { kind: t.client, url: t.url, seconds: cfg.churnSeconds },
      { timeoutMs: (cfg.churnSeconds + 60) * 1000 },
    );
    await sleep(settle);
    const after = { mem: await t.gcMemory(), stats: await t.stats() };
    // Socket.io's connection-state recovery keeps disconnected sessions and every broadcast packet
    // until a 60 s sweep; measure again after it (full runs only).
    let late = null;
    if (!cfg.quick && process.env.BENCH_CHURN_LATE !== '0') {
      await sleep(61000);
      late = { mem: await t.gcMemory(), stats: await t.stats() };
    }
    return {
      clients: n,
      seconds: cfg.churnSeconds,
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

module.exports = {
  name: 'churn',
  aliases: ['e'],
  async run(h) {
    await h.step('churn.ours', () => churn(h, 'ours'));
  },
  report(table, r) {
    const C = r['churn.ours'];
    if (!C || C.error) return;
    const back = C.a.rooms === C.b.rooms && C.a.waiting === C.b.waiting && C.a.connected === C.b.connected;
    table.row(`e. Churn ${C.seconds} s × ${C.clients} users: rooms / waiting / connected after vs before`, {
      ours: `${C.a.rooms} / ${C.a.waiting} / ${C.a.connected}`,
      ratio: `before: ${C.b.rooms} / ${C.b.waiting} / ${C.b.connected}`,
      target: 'equal',
      result: C.a.rooms == null ? 'n/a' : verdict(back),
    });
    const heapRow = (label, mem, target) => {
      const d = (mem.heapUsed - C.before.mem.heapUsed) / 2 ** 20;
      const sign = d >= 0 ? '+' : '';
      table.row(label, {
        ours: `${sign}${fmt(d, 2)} MB`,
        ratio: `${sign}${fmt((100 * d * 2 ** 20) / C.before.mem.heapUsed, 1)} %`,
        target: target ? '≤ +1 MB' : 'info',
        result: target ? verdict(d <= 1) : '',
      });
    };
    // The target applies after socket.io's 60 s recovery sweep; quick runs skip that wait, so their
    // early reading is information only.
    heapRow(`e. Heap after churn minus before, ${C.settleMs / 1000} s after (after GC)`, C.after.mem, false);
    if (C.late) heapRow(`e. Heap after churn minus before, ${C.settleMs / 1000 + 61} s after (after GC)`, C.late.mem, true);
    const k = C.run.counts;
    table.notes.push(
      `Churn activity: ${k.joins} joins, ${k.pairs} partner_found, ${k.messages} messages, ${k.next} next, ${k.leave} leave_room, ${k.reconnect} reconnects, ${k.partnerLeft} partner_disconnected; errors ${JSON.stringify(C.run.errors)}.`,
    );
  },
};
