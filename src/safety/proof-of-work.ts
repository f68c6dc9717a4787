import { createChallenge, extractParams, verifySolution } from 'altcha-lib/v1';

/** ALTCHA's v1 challenge: find `number` ≤ maxnumber with SHA-256(salt + number) = challenge. */
export type PowChallenge = Awaited<ReturnType<typeof createChallenge>>;

/** Longer than any honest proof (base64 JSON of a few short fields). */
const MAX_PROOF_LENGTH = 1024;

export function createPowChallenge(hmacKey: string, maxnumber: number, nowMs: number, ttlSeconds: number): Promise<PowChallenge> {
  return createChallenge({ hmacKey, maxnumber, expires: new Date(nowMs + ttlSeconds * 1000) });
}

export interface SpendableProof {
  /** Names the challenge, so each one is accepted once. */
  id: string;
  /** When the challenge expires; it need not be remembered as spent after that. */
  expiresAtMs: number;
}

/**
 * A solved, signed, unexpired challenge as ALTCHA's widget submits it (base64 of the JSON payload
 * `{algorithm, challenge, number, salt, signature}`), or undefined for anything else.
 */
export async function checkPowProof(proof: string, hmacKey: string): Promise<SpendableProof | undefined> {
  if (proof.length > MAX_PROOF_LENGTH) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(proof, 'base64').toString('utf8'));
    if (typeof payload !== 'object' || payload === null) return undefined;
    const { signature } = payload as { signature?: unknown };
    const expires = Number(extractParams(proof).expires);
    if (typeof signature !== 'string' || !Number.isFinite(expires)) return undefined;
    if (!(await verifySolution(proof, hmacKey, true))) return undefined;
    return { id: signature, expiresAtMs: expires * 1000 };
  } catch {
    return undefined; // not base64 JSON: not a proof
  }
}
