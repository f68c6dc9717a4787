import { RedisExpiringMarks } from '../../src/domain/redis/redis-expiring-marks';
import { contractBackends } from './backends';

const { backends, redis } = contractBackends();

const T0 = 1_700_000_000_000;

describe.each(backends)('ExpiringMarks contract (%s)', (_name, backend) => {
  test('markOnce succeeds once per key until the mark expires', async () => {
    const marks = backend.marks();
    expect(await marks.markOnce('proof:1', T0 + 1000, T0)).toBe(true);
    expect(await marks.markOnce('proof:1', T0 + 1000, T0 + 10)).toBe(false);
    expect(await marks.markOnce('proof:2', T0 + 1000, T0 + 10)).toBe(true);
    expect(await marks.isMarked('proof:1', T0 + 999)).toBe(true);
    expect(await marks.isMarked('proof:1', T0 + 1000)).toBe(false);
    expect(await marks.markOnce('proof:1', T0 + 3000, T0 + 1000)).toBe(true);
  });

  test('mark extends but never shortens a mark', async () => {
    const marks = backend.marks();
    expect(await marks.isMarked('suspect:x', T0)).toBe(false);
    await marks.mark('suspect:x', T0 + 2000, T0);
    await marks.mark('suspect:x', T0 + 1000, T0 + 10);
    expect(await marks.isMarked('suspect:x', T0 + 1500)).toBe(true);
    expect(await marks.isMarked('suspect:x', T0 + 2000)).toBe(false);
    expect(await marks.markOnce('suspect:x', T0 + 3000, T0 + 100)).toBe(false);
  });
});

describe('ExpiringMarks on Redis', () => {
  test('two nodes share the marks: a key spent on one cannot be spent on the other', async () => {
    const prefix = redis.freshPrefix();
    const other = redis.newClient();
    try {
      const one = new RedisExpiringMarks(redis.client(), prefix);
      const two = new RedisExpiringMarks(other, prefix);
      const now = Date.now();
      expect(await one.markOnce('proof:shared', now + 60_000, now)).toBe(true);
      expect(await two.markOnce('proof:shared', now + 60_000, now)).toBe(false);
      expect(await redis.client().pttl(`${prefix}mark:proof:shared`)).toBeGreaterThan(0);
    } finally {
      await other.quit();
    }
  });
});
