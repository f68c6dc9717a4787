import type { Ban, Report } from '../../src/domain/moderation';
import { connectClient, expectNoEvent, pairClients, waitFor } from '../helpers/clients';
import { ADMIN_TOKENS, BOB_TOKEN, admin, connectFrom, reportUser } from '../helpers/moderation';
import { useTestServer } from '../helpers/server';

const ENV = { ADMIN_TOKENS, REPORT_MIN_ROOM_MS: '0', ADMIN_PAGE_LIMIT: '10', BAN_REPORT_THRESHOLD: '1000' };
const VICTIM = '127.0.0.10';

describe('without ADMIN_TOKENS', () => {
  const srv = useTestServer();

  test('every /admin path answers 404, the page included', async () => {
    for (const path of ['/admin', '/admin/', '/admin/index.html', '/admin/admin.js', '/admin/reports', '/admin/bans']) {
      const response = await fetch(`${srv.url}${path}`, { headers: { authorization: 'Bearer anything-at-all-123' } });
      expect([path, response.status]).toEqual([path, 404]);
    }
    expect((await admin(srv.url, 'POST', '/bans', { userId: 'x', durationMs: 1, reason: 'r' })).status).toBe(404);
  });
});

describe('authentication', () => {
  const srv = useTestServer({ ...ENV, CORS_ORIGIN: '*', ADMIN_RATE_LIMIT_POINTS: '5', ADMIN_RATE_LIMIT_DURATION: '60' });

  test('a missing or wrong token is 401; each moderator token works', async () => {
    const missing = await admin(srv.url, 'GET', '/reports', undefined, '');
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    expect((await admin(srv.url, 'GET', '/reports', undefined, 'alice-token-0123456788')).status).toBe(401);
    expect((await admin(srv.url, 'GET', '/reports', undefined, `${BOB_TOKEN}x`)).status).toBe(401);
    expect((await admin(srv.url, 'GET', '/reports')).status).toBe(200);
    expect((await admin(srv.url, 'GET', '/bans', undefined, BOB_TOKEN)).status).toBe(200);
  });

  test('its own rate limit applies before the token is checked', async () => {
    for (let i = 0; i < 5; i += 1)
      expect((await admin(srv.url, 'GET', '/audit', undefined, 'wrong-token-0123456789')).status).toBe(401);
    const limited = await admin(srv.url, 'GET', '/audit');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toBeTruthy();
  });

  test('no CORS headers, even under CORS_ORIGIN=*', async () => {
    const origin = { origin: 'https://evil.example' };
    const preflight = await fetch(`${srv.url}/admin/bans`, {
      method: 'OPTIONS',
      headers: { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const response = await fetch(`${srv.url}/admin/bans`, { headers: { ...origin, authorization: `Bearer ${BOB_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    // The public API keeps its CORS.
    expect((await fetch(`${srv.url}/health`, { headers: origin })).headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('the moderator API', () => {
  const srv = useTestServer(ENV);

  test('GET /admin/reports lists reports newest first, paged and filtered, with details', async () => {
    const victim = await connectFrom(srv.url, VICTIM);
    for (let i = 0; i < 3; i += 1)
      await reportUser(srv.url, victim, `127.0.0.${i + 2}`, { details: `details ${i}`, reason: 'harassment' });
    const other = await connectFrom(srv.url, '127.0.0.20');
    await reportUser(srv.url, other, '127.0.0.2', { reason: 'spam' });

    const first = await admin<{ reports: Report[]; nextCursor: string | null; total: number }>(
      srv.url,
      'GET',
      '/reports?limit=3',
    );
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(4);
    expect(first.body.reports.map((r) => r.details)).toEqual([undefined, 'details 2', 'details 1']);
    expect(first.body.reports[1]).toMatchObject({
      reason: 'harassment',
      reportedId: victim.session.userId,
      reportedIpHash: expect.any(String),
      reporterId: expect.any(String),
      roomId: expect.any(String),
      status: 'open',
      at: expect.any(Number),
    });
    const second = await admin(srv.url, 'GET', `/reports?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.reports.map((r: Report) => r.details)).toEqual(['details 0']);
    expect(second.body.nextCursor).toBeNull();

    const ofVictim = await admin(srv.url, 'GET', `/reports?reportedId=${victim.session.userId}&limit=2`);
    expect(ofVictim.body.total).toBe(3);
    expect(ofVictim.body.reports).toHaveLength(2);

    const id = first.body.reports[1]!.id;
    const dismissed = await admin(srv.url, 'POST', `/reports/${id}/dismiss`, { note: 'not abuse' });
    expect(dismissed.status).toBe(200);
    expect(dismissed.body.report).toMatchObject({ id, status: 'dismissed' });
    expect((await admin(srv.url, 'GET', '/reports')).body.total).toBe(3);
    expect((await admin(srv.url, 'GET', '/reports?status=dismissed')).body.reports.map((r: Report) => r.id)).toEqual([id]);
    expect((await admin(srv.url, 'GET', '/reports?status=all')).body.total).toBe(4);
    expect((await admin(srv.url, 'POST', '/reports/nope/dismiss')).status).toBe(404);
  });

  test('invalid queries and bodies get 400 in the one error shape', async () => {
    for (const query of ['limit=0', 'limit=11', 'limit=abc', 'status=closed', `cursor=${'x'.repeat(65)}`]) {
      const response = await admin(srv.url, 'GET', `/reports?${query}`);
      expect([query, response.status]).toEqual([query, 400]);
      expect(response.body).toEqual({ error: { code: 'BAD_REQUEST', message: expect.any(String), details: expect.any(Array) } });
    }
    for (const body of [
      { durationMs: 1000, reason: 'no target' },
      { userId: 'u', durationMs: '1000', reason: 'r' },
      { userId: 'u', durationMs: -1, reason: 'r' },
      { userId: 'u', durationMs: 1000, reason: '' },
      { userId: 'u', durationMs: 1000, reason: 'r', mode: 'soft' },
      [],
    ]) {
      const response = await admin(srv.url, 'POST', '/bans', body);
      expect([body, response.status]).toEqual([body, 400]);
      expect(response.body.error.code).toBe('BAD_REQUEST');
    }
    const malformed = await fetch(`${srv.url}/admin/bans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOB_TOKEN}`, 'content-type': 'application/json' },
      body: '{"userId":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    expect((await admin(srv.url, 'GET', '/nowhere')).status).toBe(404);
  });

  test('bans: a moderator bans (the join is refused), lists and lifts; automatic bans are listed too', async () => {
    const user = await connectClient(srv.url);
    const created = await admin<{ ban: Ban }>(srv.url, 'POST', '/bans', {
      userId: user.session.userId,
      durationMs: 60_000,
      reason: 'spam links',
    });
    expect(created.status).toBe(201);
    expect(created.body.ban).toMatchObject({ userId: user.session.userId, mode: 'hard', actor: 'alice', reason: 'spam links' });
    expect((await waitForRefusal(user)).code).toBe('BANNED');

    await srv.restart({ ...ENV, BAN_REPORT_THRESHOLD: '1' });
    const victim = await connectFrom(srv.url, VICTIM);
    await reportUser(srv.url, victim, '127.0.0.2');
    const manual = await admin<{ ban: Ban }>(srv.url, 'POST', '/bans', {
      ipHash: 'some-hash',
      durationMs: 60_000,
      reason: 'r',
      mode: 'shadow',
    });
    const { bans } = (await admin<{ bans: Ban[] }>(srv.url, 'GET', '/bans')).body;
    expect(bans.map((ban) => [ban.actor, ban.mode])).toEqual([
      ['alice', 'shadow'],
      ['auto', 'hard'],
    ]);
    const automatic = bans[1]!;
    expect(automatic.userId).toBe(victim.session.userId);
    expect((await admin(srv.url, 'DELETE', `/bans/${automatic.id}`, undefined, BOB_TOKEN)).status).toBe(200);
    expect((await admin(srv.url, 'DELETE', `/bans/${automatic.id}`)).status).toBe(404);
    const waiting = waitFor(victim, 'waiting_for_partner');
    victim.emit('join', { type: 'chat' });
    await waiting;
    expect((await admin<{ bans: Ban[] }>(srv.url, 'GET', '/bans')).body.bans.map((ban) => ban.id)).toEqual([manual.body.ban.id]);
  });

  test('kick: the user gets KICKED and is disconnected; the partner is told the room ended', async () => {
    const { a, b } = await pairClients(srv.url);
    const kicked = waitFor(a, 'error');
    const gone = waitFor(a, 'disconnect');
    const partnerTold = waitFor(b, 'partner_disconnected');
    const response = await admin(srv.url, 'POST', `/users/${a.session.userId}/disconnect`, { reason: 'abuse' });
    expect(response.status).toBe(200);
    expect(await kicked).toMatchObject({ code: 'KICKED' });
    expect(await gone).toBe('io server disconnect');
    expect(await partnerTold).toEqual({ reason: 'left' });
    expect((await admin(srv.url, 'POST', `/users/${a.session.userId}/disconnect`)).status).toBe(404);
  });

  test('close room: both users are told and the room is gone', async () => {
    const { a, b, roomId } = await pairClients(srv.url);
    const told = [waitFor(a, 'partner_disconnected'), waitFor(b, 'partner_disconnected')];
    expect((await admin(srv.url, 'POST', `/rooms/${roomId}/close`)).status).toBe(200);
    expect(await Promise.all(told)).toEqual([{ reason: 'left' }, { reason: 'left' }]);
    expect(await srv.server.services.rooms.get(roomId)).toBeUndefined();
    expect((await admin(srv.url, 'POST', `/rooms/${roomId}/close`)).status).toBe(404);
    await expectNoEvent(a, 'disconnect', 100);
  });

  test('GET /admin/audit lists every action newest first with its actor, paged', async () => {
    const { a, roomId } = await pairClients(srv.url);
    await admin(srv.url, 'POST', `/rooms/${roomId}/close`, undefined, BOB_TOKEN);
    const { ban } = (await admin(srv.url, 'POST', '/bans', { userId: a.session.userId, durationMs: 1000, reason: 'r1' })).body;
    await admin(srv.url, 'DELETE', `/bans/${ban.id}`);
    const first = await admin(srv.url, 'GET', '/audit?limit=2');
    expect(first.body.entries).toEqual([
      { at: expect.any(Number), actor: 'alice', action: 'unban', target: `user:${a.session.userId}` },
      { at: expect.any(Number), actor: 'alice', action: 'ban', target: `user:${a.session.userId}`, reason: 'r1' },
    ]);
    const rest = await admin(srv.url, 'GET', `/audit?limit=2&cursor=${first.body.nextCursor}`);
    expect(rest.body.entries).toEqual([{ at: expect.any(Number), actor: 'bob', action: 'close_room', target: `room:${roomId}` }]);
    expect(rest.body.nextCursor).toBeNull();
  });
});

async function waitForRefusal(user: Awaited<ReturnType<typeof connectClient>>) {
  const refused = waitFor(user, 'error');
  user.emit('join', { type: 'chat' });
  return refused;
}
