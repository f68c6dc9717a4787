'use strict';
/** Renders bench results as one markdown table of ratios to the raw ws relay, with targets. */

const get = (o, p) => p.split('.').reduce((v, k) => (v == null ? undefined : v[k]), o);
function fmt(v, digits) {
  if (v == null || Number.isNaN(v)) return '–';
  if (typeof v === 'string') return v;
  const d = digits ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  return v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}
const pct = (v) => (v == null || !Number.isFinite(v) ? '–' : `${Math.round(v * 100)} %`);
const times = (v) => (v == null || !Number.isFinite(v) ? '–' : `${v.toFixed(2)}×`);
const ratio = (a, b) => (a == null || b == null || !b ? null : a / b);

function render(out) {
  const r = out.results;
  const m = out.machine;
  const rows = [];
  // One row: ours, raw ws and their ratio, the socket.io floor's ratio to raw ws, PeerJS.
  // opts.lower: a cost (ratio shown as ×); otherwise a rate (ratio shown as %).
  const add = (metric, unit, opts) => {
    const { ours, ws, sio, peer } = opts;
    const show = opts.lower ? times : pct;
    let result = '';
    if (opts.pass) {
      const p = opts.pass(ours, ws, peer);
      result = p == null ? 'n/a' : p ? 'PASS' : '**MISS**';
    }
    rows.push([
      `${metric}${unit ? ` (${unit})` : ''}`,
      fmt(ours, opts.digits),
      opts.noWs ? '–' : fmt(ws, opts.digits),
      opts.noWs ? '–' : show(ratio(ours, ws)),
      opts.noWs || sio === undefined ? '–' : show(ratio(sio, ws)),
      peer === undefined ? '–' : fmt(peer, opts.digits),
      opts.target || '',
      result,
    ]);
  };
  // picker(scenario)(path, f): { ours, ws, sio } at `path` in the results of `${scenario}.<target>`,
  // passed through f (undefined where missing).
  const picker =
    (scenario, kinds = ['ours', 'ws', 'sio']) =>
    (p, f = (v) => v) =>
      Object.fromEntries(
        kinds.map((k) => {
          const v = get(r[`${scenario}.${k}`], p);
          return [k, v == null ? undefined : f(v)];
        }),
      );
  const okNum = (...xs) => xs.every((x) => x != null && Number.isFinite(x));
  const atLeast = (k) => (o, w) => (okNum(o, w) ? o / w >= k : null);
  const atMost = (k) => (o, w) => (okNum(o, w) ? o / w <= k : null);
  const percent = (v) => v * 100;

  if (r['pairing.ours'] || r['pairing.ws']) {
    const pick = picker('pairing');
    add('a. Connect rate', 'conn/s', { ...pick('connectPerSec'), target: '≥ 50 %', pass: atLeast(0.5) });
    add('a. Server CPU per connection', 'µs', { ...pick('connectServerCpuUs'), lower: true, digits: 0 });
    add('a. Pairing rate', 'pairs/s', { ...pick('pairsPerSec'), target: '≥ 80 %', pass: atLeast(0.8) });
    add('a. Server CPU per pair', 'µs', { ...pick('pairServerCpuUs'), lower: true, digits: 0 });
  }
  if (r['relay.ours'] || r['relay.ws']) {
    const pick = picker('relay');
    add('b. Chat relay at saturation', 'msgs/s', { ...pick('sat.perSec'), target: '≥ 60 %', pass: atLeast(0.6) });
    add('b. Server CPU per chat msg', 'µs', { ...pick('sat.cpuUsPerMsg'), lower: true, digits: 1 });
    add('b. Server core busy at saturation', '%', { ...pick('sat.serverCpuUtil', percent), digits: 0, lower: true });
    add('b. Load core busy at saturation', '%', { ...pick('sat.loadCpuUtil', percent), digits: 0, lower: true });
    add('b. Offered rate at ½ saturation', 'msgs/s', pick('half.offeredPerSec'));
    add('b. Latency p50 at ½ saturation', 'ms', { ...pick('half.latencyMs.p50'), lower: true });
    add('b. Latency p95 at ½ saturation', 'ms', { ...pick('half.latencyMs.p95'), lower: true });
    add('b. Latency p99 at ½ saturation', 'ms', { ...pick('half.latencyMs.p99'), lower: true, target: '≤ 2×', pass: atMost(2) });
    add('b. Latency p99 at saturation', 'ms', { ...pick('sat.latencyMs.p99'), lower: true });
    // Variants of ours against raw ws, for information.
    const vsWs = (variant, p) => ({ ours: get(variant, p), ws: get(r['relay.ws'], p), target: 'info' });
    const nr = r['relay.ours_norecovery'];
    if (nr && !nr.error) {
      add('b. Relay, ours with recovery off', 'msgs/s', vsWs(nr, 'sat.perSec'));
      add('b. CPU per chat msg, recovery off', 'µs', { ...vsWs(nr, 'sat.cpuUsPerMsg'), lower: true, digits: 1 });
      add('b. Latency p99 at ½ sat., recovery off', 'ms', { ...vsWs(nr, 'half.latencyMs.p99'), lower: true });
    }
    const nb = r['relay.ours_bufferutil'];
    if (nb && !nb.error) {
      add(`b. Relay, ours ${m.bufferutilVariant}`, 'msgs/s', vsWs(nb, 'sat.perSec'));
      add(`b. CPU per chat msg, ours ${m.bufferutilVariant}`, 'µs', { ...vsWs(nb, 'sat.cpuUsPerMsg'), lower: true, digits: 1 });
    }
  }
  if (r['idle.ours'] || r['idle.ws']) {
    const pick = picker('idle');
    const kb = (v) => v / 1024;
    add('c. RSS per idle socket', 'KB', {
      ...pick('rssPerSocket', kb),
      lower: true,
      digits: 1,
      target: '≤ 2×',
      pass: atMost(2),
    });
    add('c. Heap per idle socket', 'KB', {
      ...pick('heapPerSocket', kb),
      lower: true,
      digits: 2,
      target: '≤ 6 KB',
      pass: (o) => (okNum(o) ? o <= 6 : null),
    });
    const big = get(r['idle.ours'], 'big');
    if (big) {
      add(`c. RSS with ${big.sockets.toLocaleString('en-US')} idle sockets`, 'MB', {
        ours: big.rss / 2 ** 20,
        noWs: true,
        digits: 0,
        target: '< 400 MB',
        pass: (o) => (okNum(o) ? o < 400 : null),
      });
    }
  }
  if (r['signal.ours'] || r['signal.ws']) {
    const pick = picker('signal', ['ours', 'ws', 'sio', 'peer']);
    add('d. Signalling relay', 'msgs/s', pick('perSec'));
    add('d. Server CPU per signalling msg', 'µs', {
      ...pick('cpuUsPerMsg'),
      lower: true,
      digits: 1,
      target: '≤ PeerJS',
      pass: (o, _w, p) => (okNum(o, p) ? o <= p : null),
    });
    add('d. Signalling latency p99', 'ms', { ...pick('latencyMs.p99'), lower: true });
    const sb = r['signal.ours_bufferutil'];
    if (sb && !sb.error) {
      const { ws, peer } = pick('cpuUsPerMsg');
      add(`d. CPU per signalling msg, ours ${m.bufferutilVariant}`, 'µs', {
        ours: sb.cpuUsPerMsg,
        ws,
        peer,
        lower: true,
        digits: 1,
        target: 'info',
      });
    }
  }
  const C = r['churn.ours'];
  const churnLines = [];
  if (C && !C.error) {
    const back = C.a.rooms === C.b.rooms && C.a.waiting === C.b.waiting && C.a.connected === C.b.connected;
    rows.push([
      `e. Churn ${C.seconds} s × ${C.clients} users: rooms / waiting / connected after vs before`,
      `${C.a.rooms} / ${C.a.waiting} / ${C.a.connected}`,
      '–',
      `before: ${C.b.rooms} / ${C.b.waiting} / ${C.b.connected}`,
      '–',
      '–',
      'equal',
      C.a.rooms == null ? 'n/a' : back ? 'PASS' : '**MISS**',
    ]);
    const heapRow = (label, mem, target) => {
      const d = (mem.heapUsed - C.before.mem.heapUsed) / 2 ** 20;
      rows.push([
        label,
        `${d >= 0 ? '+' : ''}${fmt(d, 2)} MB`,
        '–',
        `${d >= 0 ? '+' : ''}${fmt((100 * d * 2 ** 20) / C.before.mem.heapUsed, 1)} %`,
        '–',
        '–',
        target ? '≤ +1 MB' : 'info',
        target ? (d <= 1 ? 'PASS' : '**MISS**') : '',
      ]);
    };
    // The target applies after socket.io's 60 s recovery sweep; quick runs skip that wait, so their
    // early reading is information only.
    heapRow(`e. Heap after churn minus before, ${C.settleMs / 1000} s after (after GC)`, C.after.mem, false);
    if (C.late) heapRow(`e. Heap after churn minus before, ${C.settleMs / 1000 + 61} s after (after GC)`, C.late.mem, true);
    const k = C.run.counts;
    churnLines.push(
      `Churn activity: ${k.joins} joins, ${k.pairs} partner_found, ${k.messages} messages, ${k.next} next, ${k.leave} leave_room, ${k.reconnect} reconnects, ${k.partnerLeft} partner_disconnected; errors ${JSON.stringify(C.run.errors)}.`,
    );
  }
  const R = r.redis;
  if (R && !R.skipped && !R.error) {
    const mem = r['relay.ours'];
    const single = R.single; // same interest-twin joins against one node in memory mode
    const redisRow = (metric, unit, o, m, opts) => {
      rows.push([
        `${metric}${unit ? ` (${unit})` : ''}`,
        fmt(o, opts.digits),
        `${opts.ref || 'memory'}: ${fmt(m, opts.digits)}`,
        (opts.lower ? times : pct)(ratio(o, m)),
        '–',
        '–',
        opts.target || '',
        opts.pass ? (okNum(o, m) ? (opts.pass(o, m) ? 'PASS' : '**MISS**') : 'n/a') : '',
      ]);
    };
    const commands = (p) => {
      const c = get(R, p);
      return c ? `${fmt(c.publish, 2)} publish / ${fmt(c.all, 2)} all` : undefined;
    };
    if (R.local?.error)
      rows.push(['r. Redis, 2 nodes: node-local relay', 'failed', R.local.error, '–', '–', '–', '≥ 80 % of memory mode', 'n/a']);
    else if (R.local) {
      redisRow(
        `r. Redis, 2 nodes: chat relay at saturation, ${fmt(get(R, 'local.sat.pairs'), 0)} node-local pairs`,
        'msgs/s',
        get(R, 'local.sat.perSec'),
        get(mem, 'sat.perSec'),
        { target: '≥ 80 % of memory mode', pass: (o, m) => o / m >= 0.8 },
      );
      redisRow(
        'r. Redis, 2 nodes: server CPU per chat msg, node-local (nodes + redis)',
        'µs',
        get(R, 'local.sat.cpuUsPerMsg'),
        get(mem, 'sat.cpuUsPerMsg'),
        { lower: true, digits: 1 },
      );
      rows.push([
        'r. redis-server CPU per chat msg, node-local (µs)',
        fmt(get(R, 'local.sat.redisCpuUsPerMsg'), 1),
        'memory: 0',
        '–',
        '–',
        '–',
        'info',
        '',
      ]);
      rows.push([
        'r. Redis commands per relayed chat msg, node-local',
        commands('local.redisPerMsg') ?? '–',
        'memory: 0',
        '–',
        '–',
        '–',
        '0 publish',
        get(R, 'local.redisPerMsg') ? (get(R, 'local.redisPerMsg').publish === 0 ? 'PASS' : '**MISS**') : '',
      ]);
    }
    redisRow(
      `r. Redis, 2 nodes: chat relay at saturation, ${fmt(get(R, 'relay.crossNodePairs'), 0)} cross-node pairs`,
      'msgs/s',
      get(R, 'relay.sat.perSec'),
      get(mem, 'sat.perSec'),
      {
        target: '≥ 50 % of memory mode',
        pass: (o, m) => o / m >= 0.5,
      },
    );
    if (R.relay?.sat?.redisCpuUsPerMsg != null) {
      rows.push([
        'r. redis-server CPU per chat msg, cross-node (µs)',
        fmt(get(R, 'relay.sat.redisCpuUsPerMsg'), 1),
        'memory: 0',
        '–',
        '–',
        '–',
        'info',
        '',
      ]);
    }
    if (R.relay?.redisPerMsg) {
      rows.push([
        'r. Redis commands per relayed chat msg, cross-node',
        commands('relay.redisPerMsg'),
        'memory: 0',
        '–',
        '–',
        '–',
        'info',
        '',
      ]);
    }
    redisRow(
      'r. Redis, 2 nodes: server CPU per chat msg (nodes + redis)',
      'µs',
      get(R, 'relay.sat.cpuUsPerMsg'),
      get(mem, 'sat.cpuUsPerMsg'),
      { lower: true, digits: 1 },
    );
    redisRow(
      'r. Redis, 2 nodes: latency p99 at ½ saturation',
      'ms',
      get(R, 'relay.half.latencyMs.p99'),
      get(mem, 'half.latencyMs.p99'),
      { lower: true },
    );
    redisRow(
      `r. Redis, 2 nodes: pairing of interest twins (${fmt(get(R, 'pairing.crossNodePairs'), 0)} of ${fmt(get(R, 'pairing.paired') / 2, 0)} pairs cross-node)`,
      'pairs/s',
      get(R, 'pairing.pairsPerSec'),
      get(single, 'pairsPerSec'),
      {
        ref: '1 node',
        target: '≥ 50 % of single node',
        pass: (o, m) => o / m >= 0.5,
      },
    );
    redisRow(
      'r. Redis, 2 nodes: server CPU per pair (nodes + redis)',
      'µs',
      get(R, 'pairing.pairServerCpuUs'),
      get(single, 'pairServerCpuUs'),
      { ref: '1 node', lower: true, digits: 0 },
    );
  }

  const errs = Object.entries(r)
    .filter(([, v]) => v && v.error)
    .map(([k, v]) => `- ${k}: ${v.error.split('\n')[0]}`);
  const clientErrs = [];
  for (const [k, v] of Object.entries(r)) {
    const e = { ...(v?.errors || {}), ...(v?.sat?.errors || {}), ...(v?.half?.errors || {}) };
    if (Object.keys(e).length) clientErrs.push(`- ${k}: server error events ${JSON.stringify(e)}`);
  }

  const c = out.config;
  const lines = [
    `### Benchmark results (${c.quick ? 'quick' : 'full'} run, ${out.date.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(out.seconds)} s)`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memGB} GB, Linux ${m.kernel}; ${m.taskset}.`,
    `Versions: Node ${m.node}, socket.io ${m.socketio} (client ${m.socketioClient}), ws ${m.ws}, peer ${m.peer}, bufferutil ${m.bufferutil ? 'installed' : 'absent'}.`,
    `Load: pairing ${c.clients} clients; relay ${c.pairs} pairs, ${c.msgSize}-char messages, ${c.window} in flight per client at saturation; signalling ${c.signalPairs} pairs, SDP ≈ 10 KB, ${c.candidates} candidates each way per negotiation; ${c.seconds} s measured after ${c.warmup} s warm-up; idle ramp 0 → ${c.idleMax} step ${c.idleStep}.`,
    '',
    '| Metric | ours | raw ws | ours / ws | socket.io floor / ws | PeerJS | Target | Result |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    'Ratios: for rates, ours as a percentage of raw ws (higher is better); for costs and latencies, ours as a multiple of raw ws (lower is better). "socket.io floor" is a minimal Socket.io server with the same wire contract and no validation, limits or logging (bench/baselines/sio-relay.js): the part of the gap that is Socket.io itself.',
    ...churnLines,
  ];
  const noisy = (out.noise || []).filter((n) => n.otherCpu > 0.1);
  const maxNoise = Math.max(0, ...(out.noise || []).map((n) => n.otherCpu));
  lines.push(
    `Other processes on the machine used at most ${fmt(maxNoise * 100, 0)} % of a core during measured windows${noisy.length ? ` (over 10 % in: ${noisy.map((n) => `${n.what} ${fmt(n.otherCpu * 100, 0)} %`).join(', ')}; treat those rows as noisy)` : ''}.`,
  );
  if (out.quietLog && out.quietLog.length)
    lines.push(
      `Started while the machine was still busy: ${out.quietLog.map((q) => `${q.key} (${fmt(q.otherCpu * 100, 0)} %)`).join(', ')}.`,
    );
  if (R && R.skipped) lines.push(`Redis mode skipped: ${R.skipped}.`);
  if (errs.length) lines.push('', 'Scenarios that failed:', ...errs);
  if (clientErrs.length) lines.push('', 'Error events seen by clients:', ...clientErrs);
  return lines.join('\n') + '\n';
}

module.exports = { render };
