import { checkPowProof, createPowChallenge } from '../../../src/safety/proof-of-work';
import { solvePow } from '../../helpers/bot-check';

describe('proof of work (ALTCHA v1 format)', () => {
  test('a challenge carries its cost, and a solved one is accepted with its id and expiry', async () => {
    const now = Date.now();
    const challenge = await createPowChallenge('key', 500, now, 60);
    expect(challenge).toMatchObject({
      algorithm: 'SHA-256',
      maxnumber: 500,
      challenge: expect.any(String),
      salt: expect.stringContaining('expires='),
    });
    const proof = await checkPowProof(await solvePow(challenge), 'key');
    expect(proof).toEqual({ id: challenge.signature, expiresAtMs: Math.floor((now + 60_000) / 1000) * 1000 });
  });

  test('a wrong number, another key, an expired challenge or garbage is refused', async () => {
    const challenge = await createPowChallenge('key', 500, Date.now(), 60);
    const right = await solvePow(challenge);
    const wrongNumber = await solvePow(
      challenge,
      ((JSON.parse(Buffer.from(right, 'base64').toString()).number as number) + 1) % 501,
    );
    expect(await checkPowProof(wrongNumber, 'key')).toBeUndefined();
    expect(await checkPowProof(right, 'other-key')).toBeUndefined();
    const expired = await createPowChallenge('key', 500, Date.now() - 120_000, 60);
    expect(await checkPowProof(await solvePow(expired), 'key')).toBeUndefined();
    for (const junk of ['', 'not base64 !', Buffer.from('null').toString('base64'), 'x'.repeat(5000)])
      expect(await checkPowProof(junk, 'key')).toBeUndefined();
  });
});
