import { Counter, Histogram, type Registry } from 'prom-client';
import { BOT_CHECK_RESULTS } from './bot-check';
import { CONTACT_REASONS } from './contact-filter';
import { HOOK_OUTCOMES } from './moderation-hook';

/** Why a message was not delivered: a kind of contact detail, or the moderation hook. */
export const MESSAGE_REJECT_REASONS = [...CONTACT_REASONS, 'hook'] as const;

export interface SafetyMetrics {
  messagesRejected: Counter<'reason'>;
  hookOutcomes: Counter<'outcome'>;
  hookSeconds: Histogram;
  candidatesDropped: Counter<'where'>;
  botChecks: Counter<'result'>;
}

function zeroed<L extends string>(counter: Counter<L>, label: L, values: readonly string[]): Counter<L> {
  for (const value of values) counter.inc({ [label]: value } as Record<L, string>, 0);
  return counter;
}

/** The door's counters, on the server's registry, each label present from the start. */
export function createSafetyMetrics(registry: Registry): SafetyMetrics {
  const registers = [registry];
  return {
    messagesRejected: zeroed(
      new Counter({
        name: 'chat_messages_rejected_total',
        help: 'Messages not delivered, per reason',
        labelNames: ['reason'],
        registers,
      }),
      'reason',
      MESSAGE_REJECT_REASONS,
    ),
    hookOutcomes: zeroed(
      new Counter({
        name: 'chat_moderation_hook_decisions_total',
        help: 'Moderation hook decisions, and failures settled open or closed',
        labelNames: ['outcome'],
        registers,
      }),
      'outcome',
      HOOK_OUTCOMES,
    ),
    hookSeconds: new Histogram({
      name: 'chat_moderation_hook_seconds',
      help: 'Time the moderation hook took to answer (or fail)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5],
      registers,
    }),
    candidatesDropped: zeroed(
      new Counter({
        name: 'chat_ice_candidates_dropped_total',
        help: 'Non-relay ICE candidates kept from the partner (ICE_RELAY_ONLY), as ice_candidate events or SDP lines',
        labelNames: ['where'],
        registers,
      }),
      'where',
      ['ice_candidate', 'sdp'],
    ),
    botChecks: zeroed(
      new Counter({
        name: 'chat_bot_checks_total',
        help: 'Handshakes at the bot check, per result',
        labelNames: ['result'],
        registers,
      }),
      'result',
      BOT_CHECK_RESULTS,
    ),
  };
}
