import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A bot pass: `<expiry seconds>.<signature>`, the signature an HMAC over the expiry and the salted
 * IP hash. It proves a passed check from this address until it expires, without any stored state.
 */
function signature(key: Buffer, expiresAtSeconds: number, ipHash: string): string {
  return createHmac('sha256', key).update(`${expiresAtSeconds}.${ipHash}`).digest('base64url');
}

/** The signing key, derived so the pass never reveals the configured secret it comes from. */
export function botPassKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('random-chat bot pass v1').digest();
}

export function issueBotPass(key: Buffer, ipHash: string, nowMs: number, ttlSeconds: number): string {
  const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
  return `${expiresAt}.${signature(key, expiresAt, ipHash)}`;
}

/** True only for an unexpired pass issued to this IP hash with this key. */
export function isValidBotPass(key: Buffer, pass: string, ipHash: string, nowMs: number): boolean {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(pass);
  if (!match) return false;
  const expiresAt = Number(match[1]);
  if (expiresAt * 1000 <= nowMs) return false;
  const expected = Buffer.from(signature(key, expiresAt, ipHash));
  const given = Buffer.from(match[2]!);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
