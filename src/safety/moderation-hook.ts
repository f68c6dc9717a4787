import type { Config } from '../config';

type HookConfig = NonNullable<Config['safety']['moderationHook']>;

/** What the hook decided, or how its failure was settled by MODERATION_HOOK_FAIL. */
export type HookOutcome = 'allow' | 'reject' | 'replace' | 'failed_open' | 'failed_closed';
export const HOOK_OUTCOMES: readonly HookOutcome[] = ['allow', 'reject', 'replace', 'failed_open', 'failed_closed'];

export interface HookVerdict {
  outcome: HookOutcome;
  /** The text to deliver; absent when the message is refused. */
  text?: string;
}

export interface HookMessage {
  roomId: string;
  senderId: string;
  text: string;
}

/**
 * Reads the hook's answer `{ action, text? }`. Anything else, and a replacement that is empty or
 * longer than a message may be, is no answer (undefined) and settled like a failure.
 */
export function verdictFromAnswer(answer: unknown, original: string, maxLength: number): HookVerdict | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const { action, text } = answer as { action?: unknown; text?: unknown };
  if (action === 'allow') return { outcome: 'allow', text: original };
  if (action === 'reject') return { outcome: 'reject' };
  if (action !== 'replace' || typeof text !== 'string') return undefined;
  const replacement = text.trim();
  return replacement.length > 0 && replacement.length <= maxLength ? { outcome: 'replace', text: replacement } : undefined;
}

/** A hook that timed out, failed or answered nonsense: open delivers the message, closed refuses it. */
export function verdictOnFailure(failMode: HookConfig['failMode'], original: string): HookVerdict {
  return failMode === 'open' ? { outcome: 'failed_open', text: original } : { outcome: 'failed_closed' };
}

export class HookFailure extends Error {}

/** POSTs the message to the hook and reads its answer, all within the hook's timeout. */
export async function askModerationHook(hook: HookConfig, message: HookMessage, maxLength: number): Promise<HookVerdict> {
  const response = await fetch(hook.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    redirect: 'error',
    signal: AbortSignal.timeout(hook.timeoutMs),
  });
  if (!response.ok) throw new HookFailure(`moderation hook answered HTTP ${response.status}`);
  // JSON.parse errors quote the body, which may echo the user's text: that must never reach a log.
  const answer: unknown = await response.json().catch(() => {
    throw new HookFailure('moderation hook answered something that is not JSON');
  });
  const verdict = verdictFromAnswer(answer, message.text, maxLength);
  if (!verdict) throw new HookFailure('moderation hook answered neither allow, reject nor a valid replace');
  return verdict;
}
