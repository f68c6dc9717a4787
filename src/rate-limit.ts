import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config, RateBudget } from './config';

export interface Limiters {
  /** Every client event, per socket (the seed's RATE_LIMIT_POINTS per RATE_LIMIT_DURATION). */
  events: RateLimiterAbstract;
  /** join / next, per socket: queue churn is the expensive part of matching. */
  joins: RateLimiterAbstract;
  /** join / next per client address (salted hash), over all its sockets: reconnecting does not reset it. */
  addressJoins: RateLimiterAbstract;
  /** send_message, per socket. */
  messages: RateLimiterAbstract;
  /** Refused events per socket; past the budget the socket is disconnected. */
  refusals: RateLimiterAbstract;
  /** New connections (Engine.IO handshakes) per client address (salted hash). */
  connections: RateLimiterAbstract;
  /** HTTP API requests per client address (salted hash). */
  http: RateLimiterAbstract;
}

function memoryLimiter(keyPrefix: string, budget: RateBudget): RateLimiterMemory {
  return new RateLimiterMemory({ keyPrefix, points: budget.points, duration: budget.durationSeconds });
}

/**
 * Per-socket budgets stay in process memory: a socket lives on one node. Per-IP budgets are
 * shared through `createShared` when the node is part of a cluster.
 */
export function createLimiters(
  limits: Config['limits'],
  createShared: (keyPrefix: string, budget: RateBudget) => RateLimiterAbstract = memoryLimiter,
): Limiters {
  return {
    events: memoryLimiter('events', limits.events),
    joins: memoryLimiter('joins', limits.joins),
    addressJoins: createShared('joins-address', limits.addressJoins),
    messages: memoryLimiter('messages', limits.messages),
    refusals: memoryLimiter('refusals', {
      points: limits.disconnectAfterRefusals,
      durationSeconds: limits.events.durationSeconds,
    }),
    connections: createShared('connections', limits.connectionRate),
    http: createShared('http', limits.http),
  };
}

/** Resolves to the wait in ms when the key is over budget, or undefined when the point was taken. */
export async function takePoint(limiter: RateLimiterAbstract, key: string): Promise<number | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection.msBeforeNext;
    throw rejection;
  }
}
