import type { Participant } from './types';

/** One side of a pair: the anonymous id, and the salted IP hash that outlives it. */
export type PairMember = Pick<Participant, 'userId' | 'ipHash'>;

/**
 * Who met whom: recent partners (not re-paired within the cooldown) and blocked pairs (never
 * re-paired). Each record holds between the two anonymous ids and, when they differ, between the two
 * IP hashes too, so fresh sockets from a blocked or just-met address cannot reach the same user
 * again. Users behind one address are told apart by id only, so a shared NAT does not block itself.
 * Entries expire so that departed ids and addresses do not pile up.
 */
export interface PairHistory {
  recordMeeting(a: PairMember, b: PairMember, now: number): Promise<void>;
  block(a: PairMember, b: PairMember, now: number): Promise<void>;
  isBlocked(a: PairMember, b: PairMember, now: number): Promise<boolean>;
  metRecently(a: PairMember, b: PairMember, now: number): Promise<boolean>;
}

export interface PairHistoryTimings {
  rematchCooldownMs: number;
  blockTtlMs: number;
}

/** True when the pair's IP hashes are recorded as well: known and different. */
export function tracksAddresses(a: PairMember, b: PairMember): boolean {
  return a.ipHash !== '' && a.ipHash !== b.ipHash;
}
