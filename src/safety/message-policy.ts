import type { Config } from '../config';
import type { Logger } from '../logger';
import { findContact } from './contact-filter';
import { askModerationHook, verdictOnFailure, type HookMessage, type HookVerdict } from './moderation-hook';
import type { SafetyMetrics } from './safety-metrics';

/** The text to deliver, or undefined when the message is refused. */
export type MessagePolicy = (message: HookMessage) => Promise<string | undefined>;

/**
 * The built-in filter, then the moderation hook. Undefined when both are off, so a server
 * without them does no work per message.
 */
export function createMessagePolicy(config: Readonly<Config>, metrics: SafetyMetrics, logger: Logger): MessagePolicy | undefined {
  const { messageFilter, moderationHook } = config.safety;
  if (messageFilter === 'off' && !moderationHook) return undefined;
  const maxLength = config.limits.maxMessageLength;

  async function consultHook(message: HookMessage): Promise<HookVerdict> {
    if (!moderationHook) return { outcome: 'allow', text: message.text };
    const stopTimer = metrics.hookSeconds.startTimer();
    try {
      return await askModerationHook(moderationHook, message, maxLength);
    } catch (error) {
      // The text itself is never logged: only where it was going and why the hook failed.
      logger.warn('moderation hook failed', {
        roomId: message.roomId,
        senderId: message.senderId,
        failMode: moderationHook.failMode,
        error,
      });
      return verdictOnFailure(moderationHook.failMode, message.text);
    } finally {
      stopTimer();
    }
  }

  return async (message) => {
    const contact = messageFilter === 'contact' ? findContact(message.text) : undefined;
    if (contact) {
      metrics.messagesRejected.inc({ reason: contact });
      return undefined;
    }
    const verdict = await consultHook(message);
    if (moderationHook) metrics.hookOutcomes.inc({ outcome: verdict.outcome });
    if (verdict.text === undefined) metrics.messagesRejected.inc({ reason: 'hook' });
    return verdict.text;
  };
}
