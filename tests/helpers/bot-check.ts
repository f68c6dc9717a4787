import { solveChallenge } from 'altcha-lib/v1';
import type { PowChallenge } from '../../src/safety/proof-of-work';

/** What a client does: solve with altcha-lib's own solver and submit ALTCHA's base64 JSON payload. */
export async function solvePow(challenge: PowChallenge, number?: number): Promise<string> {
  const solution = await solveChallenge(challenge.challenge, challenge.salt, challenge.algorithm, challenge.maxnumber).promise;
  if (!solution) throw new Error('challenge has no solution within maxnumber');
  const { algorithm, salt, signature } = challenge;
  return Buffer.from(
    JSON.stringify({ algorithm, challenge: challenge.challenge, number: number ?? solution.number, salt, signature }),
  ).toString('base64');
}

/** A fresh challenge from the server, solved. */
export async function fetchAndSolve(url: string): Promise<string> {
  const challenge = (await (await fetch(`${url}/bot-check/challenge`)).json()) as PowChallenge;
  return solvePow(challenge);
}
