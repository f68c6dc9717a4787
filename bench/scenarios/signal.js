'use strict';
/** (d) signalling bursts: offer/answer (SDP ≈ 10 KB) and trickled ICE candidates, PeerJS as a baseline. */
const { okNum } = require('../lib/table');

async function signal(h, kind, opts = {}) {
  const { cfg } = h;
  return h.withTargetAndWorker(kind, opts, async (t, w) => {
    await h.pairUp(t, w, cfg.signalPairs * 2, 'video');
    return h.bestOfRepeat(() =>
      h.measured(t, w, 'signal', { warmup: cfg.warmup, seconds: cfg.seconds, candidates: cfg.candidates }),
    );
  });
}

module.exports = {
  name: 'signal',
  aliases: ['d'],
  async run(h) {
    for (const k of h.only(['ws', 'peer', 'ours', ...h.floor])) await h.step(`signal.${k}`, () => signal(h, k));
    if (h.buVariant && !h.cfg.quick) await h.step('signal.ours_bufferutil', () => signal(h, 'ours', h.buVariant));
  },
  report(table, r, out) {
    if (!r['signal.ours'] && !r['signal.ws']) return;
    const pick = table.picker('signal', ['ours', 'ws', 'sio', 'peer']);
    table.vsWs('d. Signalling relay', 'msgs/s', pick('perSec'));
    table.vsWs('d. Server CPU per signalling msg', 'µs', {
      ...pick('cpuUsPerMsg'),
      lower: true,
      digits: 1,
      target: '≤ PeerJS',
      pass: (o, _w, p) => (okNum(o, p) ? o <= p : null),
    });
    table.vsWs('d. Signalling latency p99', 'ms', { ...pick('latencyMs.p99'), lower: true });
    const sb = r['signal.ours_bufferutil'];
    if (sb && !sb.error) {
      const { ws, peer } = pick('cpuUsPerMsg');
      table.vsWs(`d. CPU per signalling msg, ours ${out.machine.bufferutilVariant}`, 'µs', {
        ours: sb.cpuUsPerMsg,
        ws,
        peer,
        lower: true,
        digits: 1,
        target: 'info',
      });
    }
  },
};
