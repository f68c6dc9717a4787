'use strict';
/** (b) chat relay at saturation, then at half of that rate; variants of ours for information. */
const { get, atLeast, atMost } = require('../lib/table');

async function relay(h, kind, opts = {}) {
  const { cfg } = h;
  return h.withTargetAndWorker(kind, opts, async (t, w) => {
    await h.pairUp(t, w, cfg.pairs * 2, 'chat');
    const base = { warmup: cfg.warmup, seconds: cfg.seconds, size: cfg.msgSize };
    const sat = await h.bestOfRepeat(() => h.measured(t, w, 'relay', { ...base, mode: 'saturate', window: cfg.window }));
    const rate = Math.max(10, Math.round(sat.perSec / 2));
    const half = await h.measured(t, w, 'relay', { ...base, mode: 'rate', rate });
    return { sat, half };
  });
}

module.exports = {
  name: 'relay',
  aliases: ['b'],
  async run(h) {
    for (const k of h.only(['ws', 'ours', ...h.floor])) await h.step(`relay.${k}`, () => relay(h, k));
    if (!h.cfg.quick)
      await h.step('relay.ours_norecovery', () =>
        relay(h, 'ours', { env: { RECONNECT_GRACE_MS: '0' }, label: 'ours (recovery off)' }),
      );
    if (h.buVariant && !h.cfg.quick) await h.step('relay.ours_bufferutil', () => relay(h, 'ours', h.buVariant));
  },
  report(table, r, out) {
    if (!r['relay.ours'] && !r['relay.ws']) return;
    const pick = table.picker('relay');
    const percent = (v) => v * 100;
    table.vsWs('b. Chat relay at saturation', 'msgs/s', { ...pick('sat.perSec'), target: '≥ 60 %', pass: atLeast(0.6) });
    table.vsWs('b. Server CPU per chat msg', 'µs', { ...pick('sat.cpuUsPerMsg'), lower: true, digits: 1 });
    table.vsWs('b. Server core busy at saturation', '%', { ...pick('sat.serverCpuUtil', percent), digits: 0, lower: true });
    table.vsWs('b. Load core busy at saturation', '%', { ...pick('sat.loadCpuUtil', percent), digits: 0, lower: true });
    table.vsWs('b. Offered rate at ½ saturation', 'msgs/s', pick('half.offeredPerSec'));
    table.vsWs('b. Latency p50 at ½ saturation', 'ms', { ...pick('half.latencyMs.p50'), lower: true });
    table.vsWs('b. Latency p95 at ½ saturation', 'ms', { ...pick('half.latencyMs.p95'), lower: true });
    table.vsWs('b. Latency p99 at ½ saturation', 'ms', {
      ...pick('half.latencyMs.p99'),
      lower: true,
      target: '≤ 2×',
      pass: atMost(2),
    });
    table.vsWs('b. Latency p99 at saturation', 'ms', { ...pick('sat.latencyMs.p99'), lower: true });
    // Variants of ours against raw ws, for information.
    const vsWs = (variant, p) => ({ ours: get(variant, p), ws: get(r['relay.ws'], p), target: 'info' });
    const nr = r['relay.ours_norecovery'];
    if (nr && !nr.error) {
      table.vsWs('b. Relay, ours with recovery off', 'msgs/s', vsWs(nr, 'sat.perSec'));
      table.vsWs('b. CPU per chat msg, recovery off', 'µs', { ...vsWs(nr, 'sat.cpuUsPerMsg'), lower: true, digits: 1 });
      table.vsWs('b. Latency p99 at ½ sat., recovery off', 'ms', { ...vsWs(nr, 'half.latencyMs.p99'), lower: true });
    }
    const nb = r['relay.ours_bufferutil'];
    if (nb && !nb.error) {
      const variant = out.machine.bufferutilVariant;
      table.vsWs(`b. Relay, ours ${variant}`, 'msgs/s', vsWs(nb, 'sat.perSec'));
      table.vsWs(`b. CPU per chat msg, ours ${variant}`, 'µs', { ...vsWs(nb, 'sat.cpuUsPerMsg'), lower: true, digits: 1 });
    }
  },
};
