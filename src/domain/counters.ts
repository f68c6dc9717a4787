import { ERROR_CODES, type ErrorCode } from '../errors';

/**
 * The running totals every node keeps, in one list: the field on Totals, its name in /stats and its
 * Prometheus counter. A cluster's /stats sums them over nodes; /metrics serves this node's own.
 */
export const TOTAL_COUNTERS = {
  matches: { stat: 'matchesMade', metric: 'chat_matches_total', help: 'Pairs matched by this node' },
  messagesRelayed: {
    stat: 'messagesRelayed',
    metric: 'chat_messages_relayed_total',
    help: 'Chat messages relayed by this node',
  },
  signalsRelayed: {
    stat: 'signalsRelayed',
    metric: 'chat_signals_relayed_total',
    help: 'WebRTC signalling messages relayed by this node',
  },
  reports: { stat: 'reports', metric: 'chat_reports_total', help: 'Reports received by this node' },
  bans: { stat: 'bans', metric: 'chat_bans_total', help: 'Bans issued by this node' },
} as const;

export type TotalName = keyof typeof TOTAL_COUNTERS;
export const TOTAL_NAMES = Object.keys(TOTAL_COUNTERS) as TotalName[];

/** Running totals since start; in a cluster each node keeps its own and /stats adds them up. */
export type Totals = Record<TotalName, number> & { refusals: Record<ErrorCode, number> };

/** The totals as /stats names them. */
export type TotalStats = { [N in TotalName as (typeof TOTAL_COUNTERS)[N]['stat']]: number };

export function emptyTotals(): Totals {
  return {
    ...(Object.fromEntries(TOTAL_NAMES.map((name) => [name, 0])) as Record<TotalName, number>),
    refusals: Object.fromEntries(ERROR_CODES.map((code) => [code, 0])) as Record<ErrorCode, number>,
  };
}

/** Adds one node's totals (as stored, possibly from an older version) into `sum`. */
export function addTotals(sum: Totals, node: Partial<Totals>): void {
  for (const name of TOTAL_NAMES) sum[name] += node[name] ?? 0;
  for (const code of ERROR_CODES) sum.refusals[code] += node.refusals?.[code] ?? 0;
}

export function totalStats(totals: Totals): TotalStats {
  return Object.fromEntries(TOTAL_NAMES.map((name) => [TOTAL_COUNTERS[name].stat, totals[name]])) as TotalStats;
}

/** What a cluster node repaired: peers it reaped, waiting users it re-queued, lost rooms it ended. */
export const CLUSTER_REPAIRS = ['dead_node', 'requeued_waiter', 'ended_lost_room', 'dropped_ghost'] as const;
export type ClusterRepair = (typeof CLUSTER_REPAIRS)[number];
