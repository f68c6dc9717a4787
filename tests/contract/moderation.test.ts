import type { Ban, ModerationLimits, Report } from '../../src/domain/moderation';
import { RedisModerationStore } from '../../src/domain/redis/redis-moderation';
import { contractBackends } from './backends';

const { backends, redis } = contractBackends();

const LIMITS: ModerationLimits = { voteWindowMs: 60_000, reportRetentionMs: 600_000, auditLength: 5 };

function report(id: string, at: number, overrides: Partial<Report> = {}): Report {
  return {
    id,
    at,
    reason: 'spam',
    details: `details of ${id}`,
    roomId: `room-${id}`,
    reporterId: `reporter-${id}`,
    reportedId: 'bad',
    reportedIpHash: 'ip-bad',
    status: 'open',
    ...overrides,
  };
}

function ban(id: string, at: number, overrides: Partial<Ban> = {}): Ban {
  return {
    id,
    userId: 'bad',
    ipHash: 'ip-bad',
    until: at + 30_000,
    reason: 'test',
    mode: 'hard',
    actor: 'auto',
    at,
    ...overrides,
  };
}

describe.each(backends)('ModerationStore contract (%s)', (_name, backend) => {
  // Real time as the base, so Redis key expiry (on the server clock) agrees with the stored times.
  const t0 = () => Date.now();

  test('counts distinct reporter addresses within the window', async () => {
    const moderation = backend.moderation(LIMITS);
    const now = t0();
    const vote = (reporterIpHash: string, at: number, reportedId = 'bad') =>
      moderation.countVote({ reportedId, reporterIpHash, at });
    expect(await vote('a1', now)).toBe(1);
    expect(await vote('a1', now + 10)).toBe(1);
    expect(await vote('a2', now + 20)).toBe(2);
    expect(await vote('a1', now + 20, 'other')).toBe(1);
    // a1's latest vote (now + 10) leaves the window; a2's stays.
    expect(await vote('a3', now + 10 + LIMITS.voteWindowMs)).toBe(2);
  });

  test('bans by id and by ip hash; the longest running ban is the active one', async () => {
    const moderation = backend.moderation(LIMITS);
    const now = t0();
    expect(await moderation.activeBan('bad', 'ip-bad', now)).toBeUndefined();
    await moderation.addBan(ban('b1', now));
    await moderation.addBan(ban('b2', now, { userId: undefined, ipHash: 'ip-only', until: now + 50_000, mode: 'shadow' }));
    expect((await moderation.activeBan('bad', 'ip-other', now))?.id).toBe('b1');
    expect(await moderation.activeBan('new-id', 'ip-bad', now + 10_000)).toMatchObject({ id: 'b1', until: now + 30_000 });
    expect(await moderation.activeBan('bad', 'ip-only', now)).toMatchObject({ id: 'b2', mode: 'shadow' });
    expect(await moderation.activeBan('someone', 'ip-else', now)).toBeUndefined();
    expect(await moderation.activeBan('bad', 'ip-bad', now + 30_000)).toBeUndefined();
  });

  test('bans are listed newest first and can be lifted once', async () => {
    const moderation = backend.moderation(LIMITS);
    const now = t0();
    await moderation.addBan(ban('old', now - 10));
    await moderation.addBan(ban('new', now, { userId: 'x', ipHash: undefined, actor: 'alice' }));
    expect((await moderation.listBans(now)).map(({ id }) => id)).toEqual(['new', 'old']);
    expect(await moderation.liftBan('old', now)).toMatchObject({ id: 'old', userId: 'bad' });
    expect(await moderation.liftBan('old', now)).toBeUndefined();
    expect(await moderation.activeBan('bad', 'ip-bad', now)).toBeUndefined();
    expect((await moderation.listBans(now)).map(({ id }) => id)).toEqual(['new']);
    expect(await moderation.listBans(now + 30_000)).toEqual([]);
  });

  test('a ban clears the votes against its user', async () => {
    const moderation = backend.moderation(LIMITS);
    const now = t0();
    await moderation.countVote({ reportedId: 'bad', reporterIpHash: 'a1', at: now });
    await moderation.countVote({ reportedId: 'bad', reporterIpHash: 'a2', at: now });
    await moderation.addBan(ban('b', now, { until: now + 1000 }));
    expect(await moderation.countVote({ reportedId: 'bad', reporterIpHash: 'a3', at: now + 1 })).toBe(1);
  });

  test('reports are listed newest first, paged by cursor, filtered by status and reported id', async () => {
    const moderation = backend.moderation(LIMITS);
    const now = t0();
    for (let i = 0; i < 5; i += 1) await moderation.saveReport(report(`r${i}`, now + i, i === 4 ? { reportedId: 'other' } : {}));
    const first = await moderation.listReports({ limit: 2, status: 'all' }, now + 10);
    expect(first.items.map(({ id }) => id)).toEqual(['r4', 'r3']);
    expect(first.total).toBe(5);
    const second = await moderation.listReports({ limit: 2, status: 'all', cursor: first.nextCursor }, now + 10);
    expect(second.items.map(({ id }) => id)).toEqual(['r2', 'r1']);
    const last = await moderation.listReports({ limit: 2, status: 'all', cursor: second.nextCursor }, now + 10);
    expect(last.items.map(({ id }) => id)).toEqual(['r0']);
    expect(last.nextCursor).toBeUndefined();
    expect(last.items[0]).toEqual(report('r0', now));

    expect(await moderation.dismissReport('r2', now + 10)).toMatchObject({ id: 'r2', status: 'dismissed' });
    expect(await moderation.dismissReport('missing', now + 10)).toBeUndefined();
    const open = await moderation.listReports({ limit: 10, status: 'open' }, now + 10);
    expect(open.items.map(({ id }) => id)).toEqual(['r4', 'r3', 'r1', 'r0']);
    expect(open.total).toBe(4);
    const dismissed = await moderation.listReports({ limit: 10, status: 'dismissed' }, now + 10);
    expect(dismissed.items.map(({ id }) => id)).toEqual(['r2']);

    const ofBad = await moderation.listReports({ limit: 2, status: 'open', reportedId: 'bad' }, now + 10);
    expect(ofBad.items.map(({ id }) => id)).toEqual(['r3', 'r1']);
    expect(ofBad.total).toBe(3);
    const ofBadNext = await moderation.listReports(
      { limit: 2, status: 'open', reportedId: 'bad', cursor: ofBad.nextCursor },
      now + 10,
    );
    expect(ofBadNext.items.map(({ id }) => id)).toEqual(['r0']);
    expect(ofBadNext.nextCursor).toBeUndefined();
  });

  test('dismissing a report deletes its evidence; reports expire after the retention', async () => {
    const moderation = backend.moderation({ ...LIMITS, reportRetentionMs: 5_000 });
    const now = t0();
    const evidence = [{ id: 'm1', text: 'hello', sender: 'bad', timestamp: now, type: 'text' as const }];
    await moderation.saveReport(report('r1', now, { evidence }));
    expect((await moderation.getReport('r1', now))?.evidence).toEqual(evidence);
    await moderation.dismissReport('r1', now);
    expect((await moderation.getReport('r1', now))?.evidence).toBeUndefined();
    expect((await moderation.listReports({ limit: 10, status: 'all' }, now + 5_000)).total).toBe(0);
  });

  test('the audit log keeps the newest entries, paged by cursor', async () => {
    const moderation = backend.moderation(LIMITS);
    const now = t0();
    for (let i = 0; i < 7; i += 1) await moderation.appendAudit({ at: now + i, actor: 'auto', action: 'ban', target: `u${i}` });
    const first = await moderation.listAudit(3);
    expect(first.items.map(({ target }) => target)).toEqual(['u6', 'u5', 'u4']);
    const rest = await moderation.listAudit(3, first.nextCursor);
    expect(rest.items.map(({ target }) => target)).toEqual(['u3', 'u2']);
    expect(rest.nextCursor).toBeUndefined();
  });
});

describe('RedisModerationStore keys', () => {
  test('votes, reports and bans expire in Redis', async () => {
    const prefix = redis.freshPrefix();
    const moderation = new RedisModerationStore(redis.client(), LIMITS, prefix);
    const now = Date.now();
    await moderation.countVote({ reportedId: 'bad', reporterIpHash: 'a1', at: now });
    await moderation.saveReport(report('r1', now));
    await moderation.addBan(ban('b1', now, { until: now + 60_000 }));
    const pttl = (key: string) => redis.client().pttl(`${prefix}${key}`);
    for (const key of ['mod:ban:b1', 'mod:bans:on:id:bad', 'mod:bans:on:ip:ip-bad']) {
      expect(await pttl(key)).toBeGreaterThan(55_000);
      expect(await pttl(key)).toBeLessThanOrEqual(60_000);
    }
    expect(await pttl('mod:report:r1')).toBeGreaterThan(LIMITS.reportRetentionMs - 5_000);
    expect(await redis.client().exists(`${prefix}mod:votes:bad`)).toBe(0);
    await moderation.countVote({ reportedId: 'other', reporterIpHash: 'a1', at: now });
    expect(await pttl('mod:votes:other')).toBeGreaterThan(55_000);
  });
});
