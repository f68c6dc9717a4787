import { RedisPairHistory } from '../../src/domain/redis/redis-pair-history';
import { eventually } from '../helpers/clients';
import { contractBackends } from './backends';

const { backends, redis } = contractBackends();

const T0 = 1_700_000_000_000;

/** A user on their own address unless given one. */
const m = (userId: string, ipHash = `ip-${userId}`) => ({ userId, ipHash });
const a = m('a');
const b = m('b');

describe.each(backends)('PairHistory contract (%s)', (_name, backend) => {
  test('recent meetings last for the cooldown, in either order of ids', async () => {
    const pairs = backend.pairs({ rematchCooldownMs: 1000, blockTtlMs: 5000 });
    expect(await pairs.metRecently(a, b, T0)).toBe(false);
    await pairs.recordMeeting(a, b, T0);
    expect(await pairs.metRecently(a, b, T0)).toBe(true);
    expect(await pairs.metRecently(b, a, T0 + 999)).toBe(true);
    expect(await pairs.metRecently(a, b, T0 + 1000)).toBe(false);
    expect(await pairs.metRecently(a, m('c'), T0)).toBe(false);
    expect(await pairs.isBlocked(a, b, T0)).toBe(false);
  });

  test('a later meeting extends the cooldown; an earlier one never shortens it', async () => {
    const pairs = backend.pairs({ rematchCooldownMs: 1000, blockTtlMs: 5000 });
    await pairs.recordMeeting(a, b, T0 + 500);
    await pairs.recordMeeting(b, a, T0);
    expect(await pairs.metRecently(a, b, T0 + 1200)).toBe(true);
    expect(await pairs.metRecently(a, b, T0 + 1500)).toBe(false);
  });

  test('a cooldown of 0 records nothing', async () => {
    const pairs = backend.pairs({ rematchCooldownMs: 0, blockTtlMs: 5000 });
    await pairs.recordMeeting(a, b, T0);
    expect(await pairs.metRecently(a, b, T0)).toBe(false);
  });

  test('blocks last for their ttl', async () => {
    const pairs = backend.pairs({ rematchCooldownMs: 1000, blockTtlMs: 5000 });
    await pairs.block(b, a, T0);
    expect(await pairs.isBlocked(a, b, T0 + 4999)).toBe(true);
    expect(await pairs.isBlocked(a, b, T0 + 5000)).toBe(false);
    expect(await pairs.metRecently(a, b, T0)).toBe(false);
  });

  test('blocks and meetings hold between the two addresses too, for fresh ids, until they expire', async () => {
    const pairs = backend.pairs({ rematchCooldownMs: 1000, blockTtlMs: 5000 });
    const victim = m('victim', 'home');
    await pairs.block(victim, m('stalker', 'attic'), T0);
    await pairs.recordMeeting(victim, m('visitor', 'cafe'), T0);
    // The same addresses behind new anonymous ids, in either order.
    expect(await pairs.isBlocked(m('fresh-socket', 'attic'), victim, T0 + 4999)).toBe(true);
    expect(await pairs.isBlocked(m('victim-again', 'home'), m('other-socket', 'attic'), T0)).toBe(true);
    expect(await pairs.isBlocked(m('fresh-socket', 'attic'), victim, T0 + 5000)).toBe(false);
    expect(await pairs.metRecently(victim, m('new-visitor', 'cafe'), T0 + 999)).toBe(true);
    expect(await pairs.metRecently(victim, m('new-visitor', 'cafe'), T0 + 1000)).toBe(false);
    expect(await pairs.isBlocked(m('neighbour', 'street'), victim, T0)).toBe(false);
  });

  test('users behind one address are told apart by id only', async () => {
    const pairs = backend.pairs({ rematchCooldownMs: 1000, blockTtlMs: 5000 });
    await pairs.block(m('x', 'campus'), m('y', 'campus'), T0);
    await pairs.recordMeeting(m('x', 'campus'), m('z', 'campus'), T0);
    expect(await pairs.isBlocked(m('x', 'campus'), m('y', 'campus'), T0)).toBe(true);
    expect(await pairs.isBlocked(m('w', 'campus'), m('v', 'campus'), T0)).toBe(false);
    expect(await pairs.metRecently(m('w', 'campus'), m('v', 'campus'), T0)).toBe(false);
  });
});

describe('RedisPairHistory keys', () => {
  test('expire in Redis after their ttl, so departed ids and addresses do not pile up', async () => {
    const prefix = redis.freshPrefix();
    // Long enough that a slow machine still finds the keys before they expire.
    const pairs = new RedisPairHistory(redis.client(), { rematchCooldownMs: 1000, blockTtlMs: 1000 }, prefix);
    const now = Date.now();
    await pairs.recordMeeting(a, b, now);
    await pairs.block(a, b, now);
    // One record per id pair and one per address pair.
    expect(await redis.client().keys(`${prefix}*`)).toHaveLength(4);
    await eventually(async () => (await redis.client().keys(`${prefix}*`)).length === 0, 5000, { what: 'pair keys expiring' });
  });
});
