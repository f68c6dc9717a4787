import type { Registry } from 'prom-client';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config, RateBudget } from '../config';
import type { ExpiringMarks } from '../domain/expiring-marks';
import type { Logger } from '../logger';
import { BotCheck } from './bot-check';
import { createMessagePolicy, type MessagePolicy } from './message-policy';
import { createRelayOnlySignals, type RelayOnlySignals } from './relay-only-signals';
import { createSafetyMetrics, type SafetyMetrics } from './safety-metrics';

/** The door's policies, each undefined when switched off so the hot path skips it with one check. */
export interface Safety {
  metrics: SafetyMetrics;
  /** BOT_CHECK: the handshake middleware and its challenges. */
  botCheck?: BotCheck;
  screenMessage?: MessagePolicy;
  /** ICE_RELAY_ONLY: what of the relayed signalling a partner may see. */
  relayOnly?: RelayOnlySignals;
}

export interface SafetyDeps {
  config: Readonly<Config>;
  registry: Registry;
  logger: Logger;
  marks: ExpiringMarks;
  /** Per-IP budgets shared by a cluster's nodes; in memory on a lone node. */
  sharedLimiter?: (keyPrefix: string, budget: RateBudget) => RateLimiterAbstract;
}

export function createSafety({ config, registry, logger, marks, sharedLimiter }: SafetyDeps): Safety {
  const metrics = createSafetyMetrics(registry);
  const { botCheck } = config.safety;
  const suspectBudget = { points: botCheck.suspectConnectionsPerMinute, durationSeconds: 60 };
  return {
    metrics,
    botCheck:
      botCheck.provider === 'off'
        ? undefined
        : new BotCheck({
            config,
            marks,
            logger,
            results: metrics.botChecks,
            connectionsPerMinute: sharedLimiter
              ? sharedLimiter('bot-suspect', suspectBudget)
              : new RateLimiterMemory({ keyPrefix: 'bot-suspect', points: suspectBudget.points, duration: 60 }),
          }),
    screenMessage: createMessagePolicy(config, metrics, logger),
    relayOnly: config.safety.iceRelayOnly ? createRelayOnlySignals(metrics.candidatesDropped) : undefined,
  };
}
