import { RedisModerationStore } from '../../src/domain/redis/redis-moderation';
import { contractBackends } from './backends';

const { backends, redis } = contractBackends();

const WINDOW = 60_000;

describe.each(backends)('ModerationStore contract (%s)', (_name, backend) => {
  // Real time as the base, so Redis key expiry (on the server clock) agrees with the stored times.
  const t0 = () => Date.now();

  test('counts distinct reporters within the window', async () => {
    const moderation = backend.moderation(WINDOW);
    const now = t0();
    expect(await moderation.recordReport('bad', 'r1', now)).toBe(1);
    expect(await moderation.recordReport('bad', 'r1', now + 10)).toBe(1);
    expect(await moderation.recordReport('bad', 'r2', now + 20)).toBe(2);
    expect(await moderation.recordReport('other', 'r1', now + 20)).toBe(1);
    // r1's latest report (now + 10) leaves the window; r2's stays.
    expect(await moderation.recordReport('bad', 'r3', now + 10 + WINDOW)).toBe(2);
  });

  test('bans by id and by ip hash, with the time remaining', async () => {
    const moderation = backend.moderation(WINDOW);
    const now = t0();
    expect(await moderation.banRemaining('bad', 'ip-bad', now)).toBe(0);
    await moderation.ban('bad', 'ip-bad', now + 30_000);
    expect(await moderation.banRemaining('bad', 'ip-other', now)).toBe(30_000);
    expect(await moderation.banRemaining('new-id', 'ip-bad', now + 10_000)).toBe(20_000);
    expect(await moderation.banRemaining('someone', 'ip-else', now)).toBe(0);
    expect(await moderation.banRemaining('bad', 'ip-bad', now + 30_000)).toBe(0);
  });

  test('a ban clears the reports against the user', async () => {
    const moderation = backend.moderation(WINDOW);
    const now = t0();
    await moderation.recordReport('bad', 'r1', now);
    await moderation.recordReport('bad', 'r2', now);
    await moderation.ban('bad', 'ip-bad', now + 1000);
    expect(await moderation.recordReport('bad', 'r3', now + 1)).toBe(1);
  });
});

describe('RedisModerationStore keys', () => {
  test('reports and bans expire in Redis', async () => {
    const prefix = redis.freshPrefix();
    const moderation = new RedisModerationStore(redis.client(), 60_000, prefix);
    const now = Date.now();
    await moderation.recordReport('bad', 'r1', now);
    await moderation.ban('bad', 'ip-bad', now + 60_000);
    const ttls = await Promise.all(['mod:ban:id:bad', 'mod:ban:ip:ip-bad'].map((key) => redis.client().pttl(`${prefix}${key}`)));
    for (const ttl of ttls) expect(ttl).toBeGreaterThan(55_000);
    expect(await redis.client().exists(`${prefix}mod:reports:bad`)).toBe(0);
    await moderation.recordReport('other', 'r1', now);
    expect(await redis.client().pttl(`${prefix}mod:reports:other`)).toBeGreaterThan(55_000);
  });
});
