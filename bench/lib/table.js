'use strict';
/**
 * The results table of bench/results/latest.md: number formats, and one row builder for every kind
 * of row, so each scenario's report(table, results, out) only says what it compares.
 *
 * Columns: Metric | ours | raw ws | ours / ws | socket.io floor / ws | PeerJS | Target | Result
 */

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
const okNum = (...xs) => xs.every((x) => x != null && Number.isFinite(x));
/** Pass checks on (ours, ws): ours at least / at most k times raw ws; null when either is missing. */
const atLeast = (k) => (o, w) => (okNum(o, w) ? o / w >= k : null);
const atMost = (k) => (o, w) => (okNum(o, w) ? o / w <= k : null);
/** A pass check's outcome as the Result column shows it. */
const verdict = (pass) => (pass == null ? 'n/a' : pass ? 'PASS' : '**MISS**');

class Table {
  constructor(results, machine) {
    this.r = results;
    this.machine = machine;
    this.rows = [];
    /** Lines printed right after the table's footnote on ratios. */
    this.notes = [];
    /** Lines printed after the machine-noise lines (scenarios skipped, and why). */
    this.skips = [];
  }

  /** A row of literal cells; empty cells are '–', target and result '' unless given. */
  row(metric, { ours, ws, ratio: r, sio, peer, target = '', result = '' } = {}) {
    const cell = (v) => (v === undefined ? '–' : v);
    this.rows.push([metric, cell(ours), cell(ws), cell(r), cell(sio), cell(peer), target, result]);
  }

  /**
   * One metric of ours against raw ws (and the socket.io floor's ratio to raw ws, and PeerJS).
   * opts: { ours, ws, sio, peer } values; lower: a cost (ratio shown as ×), otherwise a rate (%);
   * digits; noWs: ours alone; target; pass(ours, ws, peer) → true / false / null (n/a).
   */
  vsWs(metric, unit, opts) {
    const { ours, ws, sio, peer } = opts;
    const show = opts.lower ? times : pct;
    this.row(`${metric}${unit ? ` (${unit})` : ''}`, {
      ours: fmt(ours, opts.digits),
      ws: opts.noWs ? '–' : fmt(ws, opts.digits),
      ratio: opts.noWs ? '–' : show(ratio(ours, ws)),
      sio: opts.noWs || sio === undefined ? '–' : show(ratio(sio, ws)),
      peer: peer === undefined ? '–' : fmt(peer, opts.digits),
      target: opts.target || '',
      result: opts.pass ? verdict(opts.pass(ours, ws, peer)) : '',
    });
  }

  /**
   * One metric of ours against another run of ours (Redis mode against memory mode, one node...):
   * the raw ws column shows `${opts.ref || 'memory'}: value`. opts: lower, digits, target, pass(o, ref).
   */
  vsRef(metric, unit, ours, ref, opts) {
    this.row(`${metric}${unit ? ` (${unit})` : ''}`, {
      ours: fmt(ours, opts.digits),
      ws: `${opts.ref || 'memory'}: ${fmt(ref, opts.digits)}`,
      ratio: (opts.lower ? times : pct)(ratio(ours, ref)),
      target: opts.target || '',
      result: opts.pass ? (okNum(ours, ref) ? verdict(opts.pass(ours, ref)) : 'n/a') : '',
    });
  }

  /**
   * picker(scenario)(path, f): { ours, ws, sio } at `path` in the results of `${scenario}.<target>`,
   * passed through f (undefined where missing).
   */
  picker(scenario, kinds = ['ours', 'ws', 'sio']) {
    return (p, f = (v) => v) =>
      Object.fromEntries(
        kinds.map((k) => {
          const v = get(this.r[`${scenario}.${k}`], p);
          return [k, v == null ? undefined : f(v)];
        }),
      );
  }
}

module.exports = { Table, get, fmt, pct, times, ratio, okNum, atLeast, atMost, verdict };
