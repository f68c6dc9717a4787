'use strict';
/**
 * Renders bench results as one markdown table of ratios to the raw ws relay, with targets: the
 * header and footnotes here, the rows from each scenario's report(table, results, out).
 */
const { Table, fmt } = require('./table');

/**
 * @param out the run: { date, seconds, config, machine, results, noise, quietLog }
 * @param scenarios the scenario modules (bench/scenarios), in the table's order
 */
function render(out, scenarios) {
  const r = out.results;
  const m = out.machine;
  const table = new Table(r, m);
  for (const s of scenarios) s.report(table, r, out);

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
    ...table.rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    'Ratios: for rates, ours as a percentage of raw ws (higher is better); for costs and latencies, ours as a multiple of raw ws (lower is better). "socket.io floor" is a minimal Socket.io server with the same wire contract and no validation, limits or logging (bench/baselines/sio-relay.js): the part of the gap that is Socket.io itself.',
    ...table.notes,
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
  lines.push(...table.skips);
  if (errs.length) lines.push('', 'Scenarios that failed:', ...errs);
  if (clientErrs.length) lines.push('', 'Error events seen by clients:', ...clientErrs);
  return lines.join('\n') + '\n';
}

module.exports = { render };
