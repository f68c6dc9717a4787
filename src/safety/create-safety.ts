import type { Registry } from 'prom-client';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createMessagePolicy, type MessagePolicy } from './message-policy';
import { createRelayOnlySignals, type RelayOnlySignals } from './relay-only-signals';
import { createSafetyMetrics, type SafetyMetrics } from './safety-metrics';

/** The door's policies, each undefined when switched off so the hot path skips it with one check. */
export interface Safety {
  metrics: SafetyMetrics;
  screenMessage?: MessagePolicy;
  /** ICE_RELAY_ONLY: what of the relayed signalling a partner may see. */
  relayOnly?: RelayOnlySignals;
}

export function createSafety(config: Readonly<Config>, registry: Registry, logger: Logger): Safety {
  const metrics = createSafetyMetrics(registry);
  return {
    metrics,
    screenMessage: createMessagePolicy(config, metrics, logger),
    relayOnly: config.safety.iceRelayOnly ? createRelayOnlySignals(metrics.candidatesDropped) : undefined,
  };
}
