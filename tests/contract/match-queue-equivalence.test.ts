import fc from 'fast-check';
import { MemoryMatchQueue } from '../../src/domain/memory/memory-match-queue';
import { MemoryPairHistory } from '../../src/domain/memory/memory-pair-history';
import { RedisMatchQueue } from '../../src/domain/redis/redis-match-queue';
import { RedisPairHistory } from '../../src/domain/redis/redis-pair-history';
import type { Match, WaitingUser } from '../../src/domain/types';
import { contractBackends } from './backends';

const { redis } = contractBackends();

const TIMEOUT = 5000;
const TIMINGS = { rematchCooldownMs: 10_000, blockTtlMs: 30_000 };
const USERS = 5;

const user = fc.integer({ min: 0, max: USERS - 1 });
/** Users 0 and 3, and 1 and 4, share an address, so records between addresses are exercised too. */
const addressOf = (i: number) => `ip${i % 3}`;
const member = (i: number) => ({ userId: `u${i}`, ipHash: addressOf(i) });
const op = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('join' as const),
      user,
      video: fc.boolean(),
      interests: fc.subarray(['music', 'art', 'chess']),
      language: fc.constantFrom(undefined, 'en', 'fr'),
      node: fc.constantFrom('n1', 'n2'),
      pool: fc.constantFrom('', '', 'adult', 'teen', 'shadow.teen'),
      waitedBefore: fc.constantFrom(0, 0, 6000),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('open' as const), user }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), user }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('removeNode' as const), node: fc.constantFrom('n1', 'n2') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('block' as const), a: user, b: user }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('meet' as const), a: user, b: user }) },
);
const step = fc.record({ op, advance: fc.constantFrom(0, 1, 1000, 2500, 6000) });

/**
 * The Redis queue gives the same answer as the memory queue to every sequence of calls, under any
 * scan limit (with the same searches cut short) and same-node preference, and neither ever pairs a user with themself or
 * across pools.
 */
test('RedisMatchQueue behaves exactly like MemoryMatchQueue on random call sequences', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { minLength: 20, maxLength: 80 }),
      fc.constantFrom(1, 2, 3, 50),
      fc.constantFrom(0, 0, 1000, 7000),
      async (steps, scanLimit, localPreferenceMs) => {
        const memPairs = new MemoryPairHistory(TIMINGS);
        const mem = new MemoryMatchQueue(memPairs, { interestTimeoutMs: TIMEOUT, scanLimit, localPreferenceMs });
        const prefix = redis.freshPrefix();
        const redisPairs = new RedisPairHistory(redis.client(), TIMINGS, prefix);
        const red = new RedisMatchQueue(redis.client(), { interestTimeoutMs: TIMEOUT, scanLimit, localPreferenceMs, prefix });
        let now = 1_700_000_000_000;
        const poolOf = new Map<string, string>();
        const expectSamePool = (userId: string, match: unknown) => {
          const partner = (match as Match | null)?.partner;
          if (!partner) return;
          expect(partner.userId).not.toBe(userId);
          expect(partner.pool).toBe(poolOf.get(userId));
        };
        for (const { op: o, advance } of steps) {
          now += advance;
          let results: [unknown, unknown];
          switch (o.kind) {
            case 'join': {
              const u: WaitingUser = {
                userId: `u${o.user}`,
                socketId: `s${o.user}`,
                nodeId: o.node,
                ipHash: addressOf(o.user),
                type: o.video ? 'video' : 'chat',
                pool: o.pool,
                interests: o.interests,
                ...(o.language ? { language: o.language } : {}),
                enqueuedAt: now - o.waitedBefore,
              };
              poolOf.set(u.userId, u.pool);
              results = [await mem.matchOrEnqueue(u, now), await red.matchOrEnqueue(u, now)];
              expectSamePool(u.userId, results[0]);
              break;
            }
            case 'open':
              results = [await mem.openToAnyone(`u${o.user}`, now), await red.openToAnyone(`u${o.user}`, now)];
              expectSamePool(`u${o.user}`, results[0]);
              break;
            case 'remove':
              results = [await mem.remove(`u${o.user}`), await red.remove(`u${o.user}`)];
              break;
            case 'removeNode':
              results = [await mem.removeNode(o.node), await red.removeNode(o.node)];
              break;
            case 'block':
            case 'meet': {
              const method = o.kind === 'block' ? 'block' : 'recordMeeting';
              await memPairs[method](member(o.a), member(o.b), now);
              await redisPairs[method](member(o.a), member(o.b), now);
              results = [null, null];
            }
          }
          expect(results[1]).toEqual(results[0]);
          expect(await red.waitingCounts()).toEqual(await mem.waitingCounts());
          expect(red.boundedScans()).toBe(mem.boundedScans());
          for (let i = 0; i < USERS; i += 1) expect(await red.isWaiting(`u${i}`)).toBe(await mem.isWaiting(`u${i}`));
        }
      },
    ),
    { numRuns: 120 },
  );
}, 60_000);
