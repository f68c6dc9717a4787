/**
 * Keys that count until an expiry, shared by the cluster: spent bot-check proofs (so a proof works
 * once on any node) and suspect IP hashes. Callers pass the clock, as elsewhere in the domain.
 */
export interface ExpiringMarks {
  /** Marks `key` until `until` and resolves true, or resolves false when it is already marked. */
  markOnce(key: string, until: number, now: number): Promise<boolean>;
  /** Marks `key` until `until`, extending (never shortening) an existing mark. */
  mark(key: string, until: number, now: number): Promise<void>;
  isMarked(key: string, now: number): Promise<boolean>;
}
