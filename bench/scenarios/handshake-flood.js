'use strict';
/**
 * (f) handshake flood (issue 11): "a 30 s handshake flood from one address grows RSS by less than
 * 50 MB while an honest pair keeps chatting".
 *
 * Ours in memory mode with its production defaults (NODE_ENV=production, none of the bench's raised
 * limits). An honest pair from 127.0.0.2 chats throughout (one message every 500 ms, the sides in turn:
 * within the default per-socket limits). After a quiet baseline, 127.0.0.1 floods Engine.IO handshakes
 * that never become sockets for BENCH_FLOOD_SECONDS (half polling handshakes, half websocket upgrades
 * held open without CONNECT), BENCH_FLOOD_CONCURRENCY in flight; then the server is given until its
 * connect timeout has closed every held upgrade. Server RSS (VmRSS) is sampled every 100 ms.
 * Two load processes: the flood's cannot delay the honest pair's clock.
 */
const { RAISED_LIMITS, sleep, procCpuSeconds, machineBusySeconds } = require('../lib/targets');
const { check } = require('../lib/harness');
const { fmt, verdict } = require('../lib/table');

const FLOOD_ADDRESS = '127.0.0.1';
const HONEST_ADDRESS = '127.0.0.2';
const TARGET_MB = 50;
const CHAT_INTERVAL_MS = 500;
const SAMPLE_MS = 100;
/** The server's default CONNECT_TIMEOUT_MS, plus a margin: by then every held upgrade is closed. */
const CLOSE_DEADLINE_MS = 5000 + 10000;
const MB = 2 ** 20;

/** The bench's raised limits unset, so the server runs with its defaults. */
const DEFAULT_LIMITS = Object.fromEntries(Object.keys(RAISED_LIMITS).map((k) => [k, undefined]));

/** VmRSS of target t every SAMPLE_MS; mark() starts a new phase of samples. */
function rssSampler(t) {
  const phases = [[]];
  const take = () => {
    try {
      phases[phases.length - 1].push(t.rssBytes());
    } catch {
      /* exited: the scenario fails elsewhere */
    }
  };
  take();
  const timer = setInterval(take, SAMPLE_MS);
  return {
    phases,
    mark: () => (take(), phases.push([]), take()),
    stop: () => clearInterval(timer),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** chat_handshake_refusals_total by reason, from GET /metrics (null if it cannot be read). */
async function serverRefusals(t) {
  try {
    const text = await t.getText('/metrics');
    const m = [...text.matchAll(/^chat_handshake_refusals_total\{reason="([^"]+)"\} (\d+)/gm)];
    return Object.fromEntries(m.map(([, reason, n]) => [reason, Number(n)]));
  } catch {
    return null;
  }
}

/** Adds up the honest pair's phases (counts only). */
function totals(phases) {
  const sum = (k) => phases.reduce((s, p) => s + p[k], 0);
  const errors = {};
  for (const p of phases) for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] || 0) + v;
  return { sent: sum('sent'), echoed: sum('echoed'), delivered: sum('delivered'), disconnects: sum('disconnects'), errors };
}

async function handshakeFlood(h) {
  const { cfg } = h;
  return h.withTarget('ours', { env: DEFAULT_LIMITS, label: 'ours (default limits)', inspect: true }, (t) =>
    h.withWorkers(2, async ([honestW, floodW]) => {
      await honestW.call('honestStart', { url: t.url, localAddress: HONEST_ADDRESS, intervalMs: CHAT_INTERVAL_MS });
      // Live heap (after forced GCs) before and after, to tell retained objects from a bigger heap.
      const heapBefore = (await t.gcMemory()).heapUsed;
      const rss = rssSampler(t);
      try {
        await sleep(cfg.quick ? 2000 : 5000);
        const baseline = await honestW.call('honestMark');
        rss.mark();
        // CPU of the server, of everything this run started, and of the whole machine.
        const ours = () => procCpuSeconds(honestW.proc.pid) + procCpuSeconds(floodW.proc.pid) + procCpuSeconds(process.pid);
        const cpu0 = [t.cpuSeconds(), ours(), machineBusySeconds()];
        const flood = await floodW.call(
          'flood',
          {
            host: '127.0.0.1',
            port: t.port,
            localAddress: FLOOD_ADDRESS,
            seconds: cfg.floodSeconds,
            concurrency: cfg.floodConcurrency,
          },
          { timeoutMs: (cfg.floodSeconds + 60) * 1000 },
        );
        const cpu1 = [t.cpuSeconds(), ours(), machineBusySeconds()];
        const serverCpuUtil = (cpu1[0] - cpu0[0]) / flood.seconds;
        const otherCpu = (cpu1[2] - cpu0[2] - (cpu1[0] - cpu0[0]) - (cpu1[1] - cpu0[1])) / flood.seconds;
        h.noise.push({ what: `${t.label} handshake flood`, otherCpu });
        const during = await honestW.call('honestMark');
        rss.mark();
        // The server closes the sessions the flood left open (upgrades, polling) at its connect timeout.
        const t0 = Date.now();
        let open = { live: flood.live, held: flood.held };
        while (open.live > 0 && Date.now() - t0 < CLOSE_DEADLINE_MS) {
          await sleep(200);
          open = await floodW.call('floodHeld');
        }
        const closedMs = Date.now() - t0;
        await sleep(2000);
        rss.mark();
        await sleep(1000);
        const after = await honestW.call('honestStop', { drainMs: 2000 });
        rss.stop();
        const heapAfter = (await t.gcMemory()).heapUsed;
        const [pBase, pFlood, pSettle, pAfter] = rss.phases;
        const before = median(pBase);
        const peak = Math.max(...pFlood, ...pSettle, ...pAfter);
        const afterRss = median(pAfter);
        check(pBase.length && pFlood.length && pAfter.length, 'no RSS samples');
        const all = totals([baseline, during, after]);
        return {
          seconds: flood.seconds,
          concurrency: flood.concurrency,
          rss: {
            before,
            peak,
            after: afterRss,
            growth: peak - before,
            samples: pBase.length + pFlood.length + pSettle.length + pAfter.length,
          },
          heap: { before: heapBefore, after: heapAfter },
          targetMB: TARGET_MB,
          met: peak - before < TARGET_MB * MB,
          serverCpuUtil,
          otherCpu,
          handshakes: {
            polling: flood.polling,
            websocket: flood.websocket,
            // upgrades open when the flood stopped; sessions still open (live) and TCP connections
            // still held when the server had closed every session (or the deadline passed)
            liveAtEnd: flood.live,
            liveLeft: open.live,
            heldLeft: open.held,
            closedMs,
          },
          serverRefusals: await serverRefusals(t),
          honest: { baseline, during, after, ...all, lost: all.sent - all.delivered },
        };
      } finally {
        rss.stop();
      }
    }),
  );
}

function report(table, r) {
  const F = r['handshake-flood'];
  if (!F || F.error) return;
  const mb = (v) => fmt(v / MB, 0);
  const growth = F.rss.growth / MB;
  const { polling: pol, websocket: ws } = F.handshakes;
  const attempted = pol.attempted + ws.attempted;
  const H = F.honest;
  table.row(`f. Handshake flood ${fmt(F.seconds, 0)} s from one address: server RSS peak minus before (MB)`, {
    ours: `${growth >= 0 ? '+' : ''}${fmt(growth, 1)}`,
    ratio: `before ${mb(F.rss.before)} / peak ${mb(F.rss.peak)} / after ${mb(F.rss.after)}`,
    target: `< ${F.targetMB} MB`,
    result: verdict(F.met),
  });
  const heapGrowth = (F.heap.after - F.heap.before) / MB;
  table.row('f. Live heap after GC, after the flood minus before (MB)', {
    ours: `${heapGrowth >= 0 ? '+' : ''}${fmt(heapGrowth, 2)}`,
    ratio: `before ${fmt(F.heap.before / MB, 1)} / after ${fmt(F.heap.after / MB, 1)}`,
    target: 'info',
  });
  table.row('f. Flood handshakes accepted / refused', {
    ours: `${fmt(pol.accepted + ws.accepted, 0)} / ${fmt(pol.refused + ws.refused, 0)}`,
    ratio: `of ${fmt(attempted, 0)} (${fmt(attempted / F.seconds, 0)}/s)`,
    target: 'info',
  });
  const keptChatting = H.during.delivered > 0 && H.lost === 0 && H.disconnects === 0;
  table.row('f. Honest pair during the flood: delivered / sent', {
    ours: `${H.during.delivered} / ${H.during.sent}`,
    ratio: `lost ${H.lost}, disconnects ${H.disconnects}`,
    target: 'keeps chatting',
    result: verdict(keptChatting),
  });
  table.row('f. Honest pair echo latency p99 during the flood (ms)', {
    ours: fmt(H.during.echoMs.p99),
    ratio: `before: ${fmt(H.baseline.echoMs.p99)}`,
    target: 'info',
  });
  const statuses = (t) =>
    Object.entries(t.statuses)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ') || 'none';
  const errors = (e) => (Object.keys(e).length ? `; client errors ${JSON.stringify(e)}` : '');
  table.notes.push(
    `Handshake flood: ${fmt(F.seconds, 1)} s from 127.0.0.1 with ${F.concurrency} handshakes in flight, against ours with its default limits; ` +
      `polling ${fmt(pol.attempted, 0)} (${statuses(pol)}${errors(pol.errors)}), websocket upgrades held without CONNECT ${fmt(ws.attempted, 0)} (${statuses(ws)}${errors(ws.errors)}); ` +
      `server refusals ${JSON.stringify(F.serverRefusals)}; server core busy ${fmt(F.serverCpuUtil * 100, 0)} %; ` +
      `${F.handshakes.liveAtEnd} upgraded sessions open when the flood stopped, ${F.handshakes.liveLeft} ${fmt(F.handshakes.closedMs / 1000, 1)} s later (their TCP connections, never answering the close frame: ${F.handshakes.heldLeft}). ` +
      `Honest pair (127.0.0.2, a message every ${CHAT_INTERVAL_MS} ms): echo p50/p99 ${fmt(H.during.echoMs.p50)} / ${fmt(H.during.echoMs.p99)} ms during the flood ` +
      `(before: ${fmt(H.baseline.echoMs.p50)} / ${fmt(H.baseline.echoMs.p99)} ms), delivery p99 ${fmt(H.during.deliveryMs.p99)} ms; errors ${JSON.stringify(H.errors)}. ` +
      `RSS growth < ${F.targetMB} MB: ${F.met ? 'met' : 'missed'}.`,
  );
}

module.exports = {
  name: 'handshake-flood',
  aliases: ['f', 'flood'],
  async run(h) {
    await h.step('handshake-flood', () => handshakeFlood(h));
  },
  report,
};
