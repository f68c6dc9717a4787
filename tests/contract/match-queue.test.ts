import type { Redis } from 'ioredis';
import { RedisMatchQueue } from '../../src/domain/redis/redis-match-queue';
import type { Match, SessionType, WaitingUser } from '../../src/domain/types';
import { contractBackends } from './backends';

const { backends, redis } = contractBackends();

const T0 = 1_700_000_000_000;
const TIMEOUT = 5000;
const COOLDOWN = 60_000;

function user(userId: string, options: Partial<WaitingUser> = {}): WaitingUser {
  return {
    userId,
    socketId: `sock-${userId}`,
    nodeId: 'node-1',
    ipHash: `ip-${userId}`,
    type: 'chat',
    pool: '',
    interests: [],
    enqueuedAt: T0,
    ...options,
  };
}

const partnerOf = (match: Match | null) => match?.partner.userId;
/** The pair-history side of user(id): the same id and IP hash. */
const member = (userId: string, ipHash = `ip-${userId}`) => ({ userId, ipHash });

describe.each(backends)('MatchQueue contract (%s)', (_name, backend) => {
  const setup = () => backend.queue({ interestTimeoutMs: TIMEOUT, rematchCooldownMs: COOLDOWN, blockTtlMs: 3_600_000 });

  test('pairs the longest-waiting open user first (FIFO)', async () => {
    const { queue, pairs } = setup();
    // Three users who may not meet each other all wait, in arrival order.
    await pairs.block(member('a'), member('b'), T0);
    await pairs.block(member('a'), member('c'), T0);
    await pairs.block(member('b'), member('c'), T0);
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      expect(await queue.matchOrEnqueue(user(id, { enqueuedAt: T0 + i }), T0 + i)).toBeNull();
    }
    expect(await queue.waitingCounts()).toEqual({ chat: 3, video: 0 });
    const match = await queue.matchOrEnqueue(user('d', { enqueuedAt: T0 + 10 }), T0 + 10);
    expect(match).toEqual({ partner: user('a', { enqueuedAt: T0 }), commonInterests: [] });
    expect(partnerOf(await queue.matchOrEnqueue(user('e', { enqueuedAt: T0 + 11 }), T0 + 11))).toBe('b');
    expect(await queue.isWaiting('a')).toBe(false);
    expect(await queue.isWaiting('c')).toBe(true);
    expect(await queue.isWaiting('d')).toBe(false);
    expect(await queue.waitingCounts()).toEqual({ chat: 1, video: 0 });
  });

  test('never pairs a user with themself; re-joining replaces the entry', async () => {
    const { queue } = setup();
    expect(await queue.matchOrEnqueue(user('a'), T0)).toBeNull();
    expect(await queue.matchOrEnqueue(user('a'), T0 + 1)).toBeNull();
    expect(await queue.waitingCounts()).toEqual({ chat: 1, video: 0 });
    expect(await queue.openToAnyone('a', T0 + TIMEOUT)).toBeNull();
    expect(await queue.isWaiting('a')).toBe(true);
  });

  test('keeps session types apart', async () => {
    const { queue } = setup();
    expect(await queue.matchOrEnqueue(user('a', { type: 'video' }), T0)).toBeNull();
    expect(await queue.matchOrEnqueue(user('b', { type: 'chat' }), T0)).toBeNull();
    expect(await queue.waitingCounts()).toEqual({ chat: 1, video: 1 });
    expect(partnerOf(await queue.matchOrEnqueue(user('c', { type: 'video' }), T0))).toBe('a');
    expect(partnerOf(await queue.matchOrEnqueue(user('d', { type: 'chat' }), T0))).toBe('b');
    expect(await queue.waitingCounts()).toEqual({ chat: 0, video: 0 });
  });

  test('never pairs users of different pools, not even as a last resort', async () => {
    const { queue } = setup();
    const pools = ['', 'adult', 'teen', 'shadow.teen'];
    for (const [i, pool] of pools.entries()) {
      expect(await queue.matchOrEnqueue(user(`p${i}`, { pool, interests: ['music'], language: 'en' }), T0 + i)).toBeNull();
    }
    // After their windows everyone is open to anyone, and still nobody is in their pool.
    for (const [i] of pools.entries()) expect(await queue.openToAnyone(`p${i}`, T0 + TIMEOUT + i)).toBeNull();
    expect(await queue.matchOrEnqueue(user('lonely', { pool: 'shadow' }), T0 + TIMEOUT + 5)).toBeNull();
    expect(await queue.waitingCounts()).toEqual({ chat: 5, video: 0 });
    // Within a pool the usual rules apply: the same interest, then anyone open, oldest first.
    const teen = await queue.matchOrEnqueue(user('t', { pool: 'teen', interests: ['music'], enqueuedAt: T0 + 9 }), T0 + 9);
    expect(partnerOf(teen)).toBe('p2');
    const adult = await queue.matchOrEnqueue(user('a', { pool: 'adult', enqueuedAt: T0 + 10 }), T0 + TIMEOUT + 10);
    expect(partnerOf(adult)).toBe('p1');
    expect(partnerOf(await queue.matchOrEnqueue(user('d', { enqueuedAt: T0 + 11 }), T0 + TIMEOUT + 11))).toBe('p0');
  });

  test('re-joining in another pool moves the entry out of the old pool', async () => {
    const { queue } = setup();
    expect(await queue.matchOrEnqueue(user('a', { pool: 'teen' }), T0)).toBeNull();
    expect(await queue.matchOrEnqueue(user('a', { pool: 'adult' }), T0 + 1)).toBeNull();
    expect(await queue.waitingCounts()).toEqual({ chat: 1, video: 0 });
    expect(await queue.matchOrEnqueue(user('b', { pool: 'teen' }), T0 + 2)).toBeNull();
    expect(partnerOf(await queue.matchOrEnqueue(user('c', { pool: 'adult' }), T0 + 3))).toBe('a');
    expect(await queue.removeNode('node-1')).toBe(1);
    expect(await queue.waitingCounts()).toEqual({ chat: 0, video: 0 });
  });

  test('one search examines at most scanLimit waiting users, across interest buckets and the open queue', async () => {
    const { queue } = backend.queue({
      interestTimeoutMs: TIMEOUT,
      rematchCooldownMs: COOLDOWN,
      blockTtlMs: 3_600_000,
      scanLimit: 3,
    });
    // Three music fans of other languages fill the budget before the compatible fourth.
    for (const [i, language] of ['fr', 'de', 'es'].entries()) {
      await queue.matchOrEnqueue(user(`other${i}`, { interests: ['music'], language, enqueuedAt: T0 + i }), T0 + i);
    }
    await queue.matchOrEnqueue(user('en-fan', { interests: ['music'], language: 'en', enqueuedAt: T0 + 3 }), T0 + 3);
    expect(queue.boundedScans()).toBe(0);
    const joiner = user('en-joiner', { interests: ['music'], language: 'en', enqueuedAt: T0 + 4 });
    expect(await queue.matchOrEnqueue(joiner, T0 + 4)).toBeNull();
    expect(queue.boundedScans()).toBe(1);
    // Within the budget the oldest compatible user still wins (FIFO), and a scan that ends within it is not cut.
    await queue.remove('other0');
    const next = await queue.matchOrEnqueue(user('en-3', { interests: ['music'], language: 'en', enqueuedAt: T0 + 5 }), T0 + 5);
    expect(partnerOf(next)).toBe('en-fan');
    expect(queue.boundedScans()).toBe(1);

    // The budget is shared with the open queue: blocked open users ahead use it up.
    const open = backend.queue({ interestTimeoutMs: TIMEOUT, rematchCooldownMs: COOLDOWN, blockTtlMs: 3_600_000, scanLimit: 2 });
    for (const [a, b] of [
      ['b0', 'b1'],
      ['b0', 'ok'],
      ['b1', 'ok'],
      ['late', 'b0'],
      ['late', 'b1'],
    ] as const) {
      await open.pairs.block(member(a), member(b), T0);
    }
    for (const id of ['b0', 'b1', 'ok']) await open.queue.matchOrEnqueue(user(id, { enqueuedAt: T0 }), T0);
    expect(open.queue.boundedScans()).toBe(0);
    expect(await open.queue.matchOrEnqueue(user('late', { enqueuedAt: T0 + 1 }), T0 + 1)).toBeNull();
    expect(open.queue.boundedScans()).toBe(1);
    expect(partnerOf(await open.queue.matchOrEnqueue(user('fresh', { enqueuedAt: T0 + 2 }), T0 + 2))).toBe('b0');
  });

  test('a blocked or just-met address cannot reach the same user under a fresh id', async () => {
    const { queue, pairs } = setup();
    await pairs.block(member('victim', 'home'), member('stalker', 'attic'), T0);
    await pairs.recordMeeting(member('victim', 'home'), member('visitor', 'cafe'), T0);
    await queue.matchOrEnqueue(user('victim', { ipHash: 'home' }), T0);
    // Blocked: not even as a last resort.
    expect(await queue.matchOrEnqueue(user('stalker-2', { ipHash: 'attic', enqueuedAt: T0 + 1 }), T0 + 1)).toBeNull();
    expect(await queue.openToAnyone('stalker-2', T0 + TIMEOUT + 1)).toBeNull();
    await queue.remove('stalker-2');
    // Just met: skipped until the fresh id has waited out and nobody else is there.
    expect(await queue.matchOrEnqueue(user('visitor-2', { ipHash: 'cafe', enqueuedAt: T0 + 2 }), T0 + 2)).toBeNull();
    expect(partnerOf(await queue.openToAnyone('visitor-2', T0 + TIMEOUT + 2))).toBe('victim');
    // Another address meets the victim at once.
    await queue.matchOrEnqueue(user('victim', { ipHash: 'home', enqueuedAt: T0 + 3 }), T0 + 3);
    expect(partnerOf(await queue.matchOrEnqueue(user('passer-by', { ipHash: 'street' }), T0 + 4))).toBe('victim');
  });

  test('same-node preference: a local user who waited at most localPreferenceMs less wins, after interests', async () => {
    const preferring = backend.queue({
      interestTimeoutMs: TIMEOUT,
      rematchCooldownMs: COOLDOWN,
      blockTtlMs: 3_600_000,
      localPreferenceMs: 1000,
    });
    const { queue, pairs } = preferring;
    /** Two waiting users who may not meet each other: `remote` on node-2, `local` on node-1. */
    const waitingPair = async (remote: WaitingUser, local: WaitingUser) => {
      await pairs.block(member(remote.userId), member(local.userId), T0);
      expect(await queue.matchOrEnqueue(remote, remote.enqueuedAt)).toBeNull();
      expect(await queue.matchOrEnqueue(local, local.enqueuedAt)).toBeNull();
    };
    const at = (ms: number, id: string, options: Partial<WaitingUser> = {}) => user(id, { enqueuedAt: T0 + ms, ...options });

    await waitingPair(at(0, 'r1', { nodeId: 'node-2' }), at(500, 'l1'));
    expect(partnerOf(await queue.matchOrEnqueue(at(600, 'j1'), T0 + 600))).toBe('l1');
    expect(partnerOf(await queue.matchOrEnqueue(at(700, 'j1b', { nodeId: 'node-3' }), T0 + 700))).toBe('r1');

    // A local user who arrived more than localPreferenceMs after the remote one does not jump ahead.
    await waitingPair(at(1000, 'r2', { nodeId: 'node-2' }), at(2500, 'l2'));
    expect(partnerOf(await queue.matchOrEnqueue(at(2600, 'j2'), T0 + 2600))).toBe('r2');
    await queue.remove('l2');

    // Within an interest the same holds; a shared interest still beats a local stranger.
    await waitingPair(at(3000, 'r3', { nodeId: 'node-2', interests: ['art'] }), at(3500, 'l3', { interests: ['art'] }));
    expect(partnerOf(await queue.matchOrEnqueue(at(3600, 'j3', { interests: ['art'] }), T0 + 3600))).toBe('l3');
    await queue.matchOrEnqueue(at(3700, 'plain-local'), T0 + 3700);
    expect(partnerOf(await queue.matchOrEnqueue(at(3800, 'j4', { interests: ['art'] }), T0 + 3800))).toBe('r3');

    // Off (the default): strict FIFO across nodes.
    const fifo = setup();
    await fifo.pairs.block(member('r5'), member('l5'), T0);
    await fifo.queue.matchOrEnqueue(at(0, 'r5', { nodeId: 'node-2' }), T0);
    await fifo.queue.matchOrEnqueue(at(1, 'l5'), T0 + 1);
    expect(partnerOf(await fifo.queue.matchOrEnqueue(at(2, 'j5'), T0 + 2))).toBe('r5');
  });

  test('remove is idempotent and a removed user is never matched', async () => {
    const { queue } = setup();
    await queue.matchOrEnqueue(user('a', { interests: ['music'], language: 'en' }), T0);
    expect(await queue.remove('a')).toBe(true);
    expect(await queue.remove('a')).toBe(false);
    expect(await queue.remove('never-there')).toBe(false);
    expect(await queue.isWaiting('a')).toBe(false);
    expect(await queue.waitingCounts()).toEqual({ chat: 0, video: 0 });
    expect(await queue.matchOrEnqueue(user('b', { interests: ['music'], language: 'en' }), T0 + 1)).toBeNull();
    expect(await queue.openToAnyone('b', T0 + TIMEOUT + 1)).toBeNull();
    expect(await queue.openToAnyone('a', T0 + TIMEOUT + 1)).toBeNull();
    expect(await queue.isWaiting('b')).toBe(true);
  });

  test('a newcomer sharing an interest beats an older open stranger', async () => {
    const { queue } = setup();
    await queue.matchOrEnqueue(user('stranger', { enqueuedAt: T0 }), T0);
    // Before the interest window ends a user with interests does not take the open stranger.
    expect(await queue.matchOrEnqueue(user('x', { interests: ['music'], enqueuedAt: T0 + 1 }), T0 + 1)).toBeNull();
    const match = await queue.matchOrEnqueue(user('y', { interests: ['art', 'music'], enqueuedAt: T0 + 2 }), T0 + 2);
    expect(partnerOf(match)).toBe('x');
    expect(match?.commonInterests).toEqual(['music']);
    expect(await queue.isWaiting('stranger')).toBe(true);
  });

  test('among sharers the longest-waiting one wins, across interest keys', async () => {
    const { queue } = setup();
    await queue.matchOrEnqueue(user('art-fan', { interests: ['art'], enqueuedAt: T0 + 5 }), T0 + 5);
    await queue.matchOrEnqueue(user('music-fan', { interests: ['music'], enqueuedAt: T0 + 1 }), T0 + 6);
    const match = await queue.matchOrEnqueue(user('z', { interests: ['art', 'music'], enqueuedAt: T0 + 7 }), T0 + 7);
    expect(partnerOf(match)).toBe('music-fan');
    expect(match?.commonInterests).toEqual(['music']);
  });

  test('an open user with no preference does not take a user still in their interest window', async () => {
    const { queue } = setup();
    await queue.matchOrEnqueue(user('x', { interests: ['music'] }), T0);
    expect(await queue.matchOrEnqueue(user('plain', { enqueuedAt: T0 + 1 }), T0 + 1)).toBeNull();
    expect(await queue.waitingCounts()).toEqual({ chat: 2, video: 0 });
  });

  test('language: preferred matches need compatible languages; language alone is a preference key', async () => {
    const { queue } = setup();
    await queue.matchOrEnqueue(user('en', { interests: ['music'], language: 'en', enqueuedAt: T0 }), T0);
    expect(
      await queue.matchOrEnqueue(user('fr', { interests: ['music'], language: 'fr', enqueuedAt: T0 + 1 }), T0 + 1),
    ).toBeNull();
    const any = await queue.matchOrEnqueue(user('nolang', { interests: ['music'], enqueuedAt: T0 + 2 }), T0 + 2);
    expect(partnerOf(any)).toBe('en');
    expect(partnerOf(await queue.matchOrEnqueue(user('fr2', { interests: ['music'], language: 'fr' }), T0 + 3))).toBe('fr');

    await queue.matchOrEnqueue(user('de1', { language: 'de', enqueuedAt: T0 + 4 }), T0 + 4);
    expect(await queue.matchOrEnqueue(user('es1', { language: 'es', enqueuedAt: T0 + 5 }), T0 + 5)).toBeNull();
    const de = await queue.matchOrEnqueue(user('de2', { language: 'de', enqueuedAt: T0 + 6 }), T0 + 6);
    expect(de).toEqual({ partner: user('de1', { language: 'de', enqueuedAt: T0 + 4 }), commonInterests: [] });
  });

  test('falls back to anyone after the interest timeout (openToAnyone)', async () => {
    const { queue } = setup();
    await queue.matchOrEnqueue(user('stranger', { enqueuedAt: T0 }), T0);
    await queue.matchOrEnqueue(user('x', { interests: ['music'], enqueuedAt: T0 + 1 }), T0 + 1);
    const match = await queue.openToAnyone('x', T0 + 1 + TIMEOUT);
    expect(match).toEqual({ partner: user('stranger', { enqueuedAt: T0 }), commonInterests: [] });
    expect(await queue.isWaiting('x')).toBe(false);
    expect(await queue.openToAnyone('x', T0 + 2 + TIMEOUT)).toBeNull();
    expect(await queue.openToAnyone('nobody', T0)).toBeNull();
  });

  test('after openToAnyone finds nobody, the user is open to the next plain joiner', async () => {
    const { queue } = setup();
    await queue.matchOrEnqueue(user('x', { interests: ['music'] }), T0);
    expect(await queue.openToAnyone('x', T0 + TIMEOUT)).toBeNull();
    expect(await queue.isWaiting('x')).toBe(true);
    const match = await queue.matchOrEnqueue(user('plain', { enqueuedAt: T0 + TIMEOUT + 1 }), T0 + TIMEOUT + 1);
    expect(match).toEqual({ partner: user('x', { interests: ['music'] }), commonInterests: [] });
  });

  test('a joiner whose own window is already over takes an open stranger', async () => {
    const { queue } = setup();
    await queue.matchOrEnqueue(user('stranger', { enqueuedAt: T0 }), T0);
    const late = user('late', { interests: ['chess'], enqueuedAt: T0 });
    expect(partnerOf(await queue.matchOrEnqueue(late, T0 + TIMEOUT))).toBe('stranger');
  });

  test('blocked pairs never match, not even as a last resort', async () => {
    const { queue, pairs } = setup();
    await pairs.block(member('a'), member('b'), T0);
    await queue.matchOrEnqueue(user('a', { interests: ['music'] }), T0);
    expect(await queue.matchOrEnqueue(user('b', { interests: ['music'], enqueuedAt: T0 + 1 }), T0 + 1)).toBeNull();
    expect(await queue.openToAnyone('b', T0 + 1 + TIMEOUT)).toBeNull();
    expect(await queue.openToAnyone('a', T0 + 1 + TIMEOUT)).toBeNull();
    // Both are open now, in the order their windows ended.
    expect(partnerOf(await queue.matchOrEnqueue(user('c', { enqueuedAt: T0 + 2 }), T0 + TIMEOUT + 2))).toBe('b');
    expect(partnerOf(await queue.matchOrEnqueue(user('d', { enqueuedAt: T0 + 3 }), T0 + TIMEOUT + 3))).toBe('a');
  });

  test('recent partners are skipped unless the joiner waited out and nobody else is open', async () => {
    const { queue, pairs } = setup();
    await pairs.recordMeeting(member('a'), member('b'), T0);
    await queue.matchOrEnqueue(user('a', { enqueuedAt: T0 }), T0);
    expect(await queue.matchOrEnqueue(user('b', { enqueuedAt: T0 + 1 }), T0 + 1)).toBeNull();
    // A user of another type is nobody for b, so after the window b meets its recent partner.
    await queue.matchOrEnqueue(user('c', { type: 'video' }), T0 + 2);
    expect(partnerOf(await queue.openToAnyone('b', T0 + 1 + TIMEOUT))).toBe('a');
  });

  test('a recent partner loses to anyone else who is open', async () => {
    const { queue, pairs } = setup();
    await pairs.recordMeeting(member('a'), member('b'), T0);
    await queue.matchOrEnqueue(user('a', { enqueuedAt: T0 }), T0);
    await queue.matchOrEnqueue(user('b', { enqueuedAt: T0 + 1 }), T0 + 1);
    await queue.matchOrEnqueue(user('c', { interests: ['x'], enqueuedAt: T0 + 2 }), T0 + 2);
    expect(await queue.openToAnyone('c', T0 + 2 + TIMEOUT)).toEqual({
      partner: user('a', { enqueuedAt: T0 }),
      commonInterests: [],
    });
    expect(await queue.matchOrEnqueue(user('d', { enqueuedAt: T0 + 3 }), T0 + 3)).toEqual({
      partner: user('b', { enqueuedAt: T0 + 1 }),
      commonInterests: [],
    });
  });

  test('the longest-waiting recent partner is the last resort', async () => {
    const { queue, pairs } = setup();
    await pairs.recordMeeting(member('x'), member('a'), T0);
    await pairs.recordMeeting(member('x'), member('b'), T0);
    await pairs.block(member('a'), member('b'), T0);
    await queue.matchOrEnqueue(user('a', { enqueuedAt: T0 }), T0);
    await queue.matchOrEnqueue(user('b', { enqueuedAt: T0 + 1 }), T0 + 1);
    await queue.matchOrEnqueue(user('x', { interests: ['music'], enqueuedAt: T0 + 2 }), T0 + 2);
    expect(partnerOf(await queue.openToAnyone('x', T0 + 2 + TIMEOUT))).toBe('a');
  });

  test('openToAnyone on a user who is already open keeps their place in line', async () => {
    const { queue, pairs } = setup();
    await pairs.block(member('a'), member('b'), T0);
    await queue.matchOrEnqueue(user('a', { enqueuedAt: T0 }), T0);
    await queue.matchOrEnqueue(user('b', { enqueuedAt: T0 + 1 }), T0 + 1);
    expect(await queue.openToAnyone('a', T0 + TIMEOUT)).toBeNull();
    expect(partnerOf(await queue.matchOrEnqueue(user('c', { enqueuedAt: T0 + 2 }), T0 + TIMEOUT + 1))).toBe('a');
  });

  test('recent partners meet normally once the cooldown has passed', async () => {
    const { queue, pairs } = setup();
    await pairs.recordMeeting(member('a'), member('b'), T0);
    await queue.matchOrEnqueue(user('a', { enqueuedAt: T0 + COOLDOWN }), T0 + COOLDOWN);
    expect(partnerOf(await queue.matchOrEnqueue(user('b', { enqueuedAt: T0 + COOLDOWN }), T0 + COOLDOWN))).toBe('a');
  });

  test('removeNode removes exactly that node’s entries', async () => {
    const { queue } = setup();
    await queue.matchOrEnqueue(user('a1', { nodeId: 'n1', interests: ['music'] }), T0);
    await queue.matchOrEnqueue(user('a2', { nodeId: 'n1', type: 'video' }), T0);
    await queue.matchOrEnqueue(user('b1', { nodeId: 'n2', language: 'en' }), T0);
    expect(await queue.removeNode('n1')).toBe(2);
    expect(await queue.removeNode('n1')).toBe(0);
    expect(await queue.isWaiting('a1')).toBe(false);
    expect(await queue.isWaiting('a2')).toBe(false);
    expect(await queue.isWaiting('b1')).toBe(true);
    expect(await queue.waitingCounts()).toEqual({ chat: 1, video: 0 });
    expect(await queue.matchOrEnqueue(user('c', { type: 'video' }), T0 + 1)).toBeNull();
    expect(await queue.matchOrEnqueue(user('d', { interests: ['music'] }), T0 + 1)).toBeNull();
  });

  test('waitingCounts follow joins, matches and removals per type', async () => {
    const { queue } = setup();
    const types: SessionType[] = ['chat', 'video', 'video', 'chat', 'video'];
    for (const [i, type] of types.entries()) await queue.matchOrEnqueue(user(`u${i}`, { type }), T0 + i);
    expect(await queue.waitingCounts()).toEqual({ chat: 0, video: 1 });
    await queue.remove('u4');
    expect(await queue.waitingCounts()).toEqual({ chat: 0, video: 0 });
  });
});

describe('RedisMatchQueue across nodes', () => {
  const clients: Redis[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.quit()));
  });

  async function concurrentJoins(makeUser: (i: number) => WaitingUser, total: number) {
    const prefix = redis.freshPrefix();
    clients.push(redis.newClient(), redis.newClient());
    const nodes = clients.map((client) => new RedisMatchQueue(client, { interestTimeoutMs: TIMEOUT, prefix }));
    const users = Array.from({ length: total }, (_, i) => makeUser(i));
    const results = await Promise.all(users.map((u, i) => nodes[i % 2]!.matchOrEnqueue(u, T0 + i)));
    const pairedCount = new Map<string, number>();
    const bump = (id: string) => pairedCount.set(id, (pairedCount.get(id) ?? 0) + 1);
    results.forEach((match, i) => {
      if (!match) return;
      bump(users[i]!.userId);
      bump(match.partner.userId);
      expect(match.partner.userId).not.toBe(users[i]!.userId);
      expect(match.partner.pool).toBe(users[i]!.pool);
    });
    const waiting = new Set<string>();
    for (const u of users) if (await nodes[0]!.isWaiting(u.userId)) waiting.add(u.userId);
    for (const u of users) {
      const times = pairedCount.get(u.userId) ?? 0;
      expect(times).toBeLessThanOrEqual(1);
      expect(waiting.has(u.userId)).toBe(times === 0);
    }
    const counts = await nodes[1]!.waitingCounts();
    expect(counts.chat + counts.video).toBe(waiting.size);
    return { paired: pairedCount.size, waiting: waiting.size };
  }

  test('200 concurrent joins from two nodes: everyone is in exactly one pair or waiting', async () => {
    const { paired, waiting } = await concurrentJoins((i) => user(`u${i}`, { nodeId: `node-${i % 2}`, enqueuedAt: T0 + i }), 200);
    expect(paired).toBe(200);
    expect(waiting).toBe(0);
  });

  test('200 concurrent joins with mixed types, pools and interests stay consistent', async () => {
    const interests = [['music'], ['art'], [], ['music', 'art'], []];
    const pools = ['', 'adult', 'teen'];
    const { paired, waiting } = await concurrentJoins(
      (i) =>
        user(`m${i}`, {
          nodeId: `node-${i % 2}`,
          type: i % 3 === 0 ? 'video' : 'chat',
          interests: interests[i % interests.length]!,
          language: i % 4 === 0 ? 'en' : undefined,
          pool: pools[(i % 7) % pools.length]!,
          enqueuedAt: T0 + i,
        }),
      200,
    );
    expect(paired + waiting).toBe(200);
  });
});
