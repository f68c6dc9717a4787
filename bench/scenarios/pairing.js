'use strict';
/** (a) pairing: connect rate, then everyone joins `chat` at once → pairs/s until all are paired. */
const { procCpuSeconds, machineBusySeconds, sleep } = require('../lib/targets');
const { atLeast } = require('../lib/table');

async function pairing(h, kind) {
  return h.withTargetAndWorker(kind, {}, async (t, w) => {
    const n = h.cfg.clients;
    const cpu = () => [t.cpuSeconds(), procCpuSeconds(w.proc.pid), machineBusySeconds() - procCpuSeconds(process.pid)];
    const s0 = cpu();
    const c = await h.connectAll(w, t, n, 100);
    await sleep(1500); // let connect-time timers (user-count broadcasts) settle
    await t.profileStart();
    const s1 = cpu();
    const j = await w.call('join', { type: 'chat', timeoutMs: 60000 });
    const s2 = cpu();
    await t.profileStop(`${t.label}-join`);
    await w.call('closeAll', { waitMs: 500 });
    const other = (x, y, ms) => (y[2] - x[2] - (y[0] - x[0]) - (y[1] - x[1])) / (ms / 1000);
    h.noise.push({ what: `${t.label} connect`, otherCpu: other(s0, s1, c.ms + 1500) });
    h.noise.push({ what: `${t.label} join`, otherCpu: other(s1, s2, j.ms) });
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

module.exports = {
  name: 'pairing',
  aliases: ['a'],
  async run(h) {
    for (const k of h.only(['ws', 'ours', ...h.floor])) await h.step(`pairing.${k}`, () => pairing(h, k));
  },
  report(table, r) {
    if (!r['pairing.ours'] && !r['pairing.ws']) return;
    const pick = table.picker('pairing');
    table.vsWs('a. Connect rate', 'conn/s', { ...pick('connectPerSec'), target: '≥ 50 %', pass: atLeast(0.5) });
    table.vsWs('a. Server CPU per connection', 'µs', { ...pick('connectServerCpuUs'), lower: true, digits: 0 });
    table.vsWs('a. Pairing rate', 'pairs/s', { ...pick('pairsPerSec'), target: '≥ 80 %', pass: atLeast(0.8) });
    table.vsWs('a. Server CPU per pair', 'µs', { ...pick('pairServerCpuUs'), lower: true, digits: 0 });
  },
};
