/**
 * Who met whom: recent partners (not re-paired within the cooldown) and blocked pairs (never
 * re-paired). Entries expire so that the anonymous ids of departed users do not pile up.
 */
export interface PairHistory {
  recordMeeting(a: string, b: string, now: number): Promise<void>;
  block(a: string, b: string, now: number): Promise<void>;
  isBlocked(a: string, b: string, now: number): Promise<boolean>;
  metRecently(a: string, b: string, now: number): Promise<boolean>;
}

export interface PairHistoryTimings {
  rematchCooldownMs: number;
  blockTtlMs: number;
}
