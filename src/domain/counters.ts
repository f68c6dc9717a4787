import { ERROR_CODES, type ErrorCode } from '../errors';

/** Running totals since start; in a cluster each node keeps its own and /stats adds them up. */
export interface Totals {
  matches: number;
  messagesRelayed: number;
  signalsRelayed: number;
  reports: number;
  bans: number;
  refusals: Record<ErrorCode, number>;
}

export function emptyTotals(): Totals {
  return {
    matches: 0,
    messagesRelayed: 0,
    signalsRelayed: 0,
    reports: 0,
    bans: 0,
    refusals: Object.fromEntries(ERROR_CODES.map((code) => [code, 0])) as Record<ErrorCode, number>,
  };
}

/** What a cluster node repaired: peers it reaped, waiting users it re-queued, lost rooms it ended. */
export const CLUSTER_REPAIRS = ['dead_node', 'requeued_waiter', 'ended_lost_room', 'dropped_ghost'] as const;
export type ClusterRepair = (typeof CLUSTER_REPAIRS)[number];
