import type { Config } from '../config';

type BotCheck = Config['safety']['botCheck'];

/** The providers' own siteverify endpoints, used unless BOT_CHECK_VERIFY_URL points elsewhere. */
export const DEFAULT_VERIFY_URLS = {
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
} as const;

/** Longer than any token either provider issues (about 2 KB at most). */
const MAX_TOKEN_LENGTH = 4096;

export class VerifierFailure extends Error {}

/**
 * Asks the provider whether a Turnstile / hCaptcha widget token is genuine and unused: both take
 * the same form (`secret`, `response`) and answer `{ success }`. Resolves false for a refused
 * token; throws VerifierFailure when the provider cannot say (timeout, HTTP error, nonsense).
 */
export async function verifyWidgetToken(
  botCheck: BotCheck & { provider: 'turnstile' | 'hcaptcha' },
  token: string,
): Promise<boolean> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return false;
  const body = new URLSearchParams({ secret: botCheck.secret ?? '', response: token });
  if (botCheck.provider === 'hcaptcha' && botCheck.siteKey) body.set('sitekey', botCheck.siteKey);
  let answer: unknown;
  try {
    const response = await fetch(botCheck.verifyUrl ?? DEFAULT_VERIFY_URLS[botCheck.provider], {
      method: 'POST',
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(botCheck.timeoutMs),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    answer = await response.json();
  } catch (error) {
    throw new VerifierFailure('bot check verifier did not answer', { cause: error });
  }
  if (typeof answer !== 'object' || answer === null || typeof (answer as { success?: unknown }).success !== 'boolean')
    throw new VerifierFailure('bot check verifier answered without a success flag');
  return (answer as { success: boolean }).success;
}
