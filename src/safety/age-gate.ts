import type { Config } from '../config';
import type { AgeGroup } from '../contract/events';

type AgeGate = Config['safety']['ageGate'];

export interface AgeDecision {
  /** The group fixed for the connection from now on (the first one the user declared). */
  locked?: AgeGroup;
  refusal?: 'AGE_CONFIRMATION_REQUIRED' | 'AGE_GROUP_LOCKED';
}

/**
 * AGE_GATE at `join`: which age group the connection holds, and whether this join may queue. The
 * first declaration is fixed for the connection, even when refused, so a teen turned away by
 * `adult-only` cannot simply answer again as an adult; a join that omits the group keeps it.
 */
export function decideAgeGroup(gate: AgeGate, locked: AgeGroup | undefined, declared: AgeGroup | undefined): AgeDecision {
  if (gate === 'off') return {};
  if (locked && declared && declared !== locked) return { locked, refusal: 'AGE_GROUP_LOCKED' };
  const group = locked ?? declared;
  if (!group) return { refusal: 'AGE_CONFIRMATION_REQUIRED' };
  if (gate === 'adult-only' && group !== 'adult') return { locked: group, refusal: 'AGE_CONFIRMATION_REQUIRED' };
  return { locked: group };
}

/** The age segment of the user's queue pool: only `split` keeps the groups apart. */
export function agePool(gate: AgeGate, locked: AgeGroup | undefined): AgeGroup | undefined {
  return gate === 'split' ? locked : undefined;
}
