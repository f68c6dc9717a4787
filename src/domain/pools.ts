import type { AgeGroup } from '../contract/events';

/** The pool of everyone when no door policy partitions the queue: today's single queue per type. */
export const DEFAULT_POOL = '';

export interface PoolTraits {
  /** The user's declared age group, when the age gate partitions the queue (AGE_GATE=split). */
  ageGroup?: AgeGroup;
  /** A shadow-banned user waits only with other shadow-banned users (BAN_MODE=shadow). */
  shadow?: boolean;
}

/**
 * The queue partition a user waits in: the queue never pairs users of different pools. Each door
 * policy contributes one segment, so policies compose (a shadow-banned teen waits in `shadow.teen`)
 * and a user no policy singles out stays in DEFAULT_POOL.
 */
export function poolKey({ ageGroup, shadow }: PoolTraits): string {
  const segments: string[] = [];
  if (shadow) segments.push('shadow');
  if (ageGroup) segments.push(ageGroup);
  return segments.join('.');
}

/**
 * The queue a user waits in: one per session type and pool. The default pool keeps the bare type,
 * so the keys of an unpartitioned queue are the ones it always had.
 */
export function queueLane({ type, pool }: { type: string; pool?: string }): string {
  return pool ? `${type}@${pool}` : type;
}
