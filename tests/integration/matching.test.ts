import {
  closeAllClients,
  connectClient,
  eventually,
  expectNoEvent,
  joinAndWait,
  pairClients,
  refusalOf,
  waitFor,
  type TestClient,
} from '../helpers/clients';
import { getJson, startTestServer, type TestServer } from '../helpers/server';

let srv: TestServer;
afterEach(async () => {
  await closeAllClients();
  await srv?.close();
});

async function waiting(client: TestClient, payload: Parameters<TestClient['emit']>[1]): Promise<void> {
  const queued = waitFor(client, 'waiting_for_partner');
  client.emit('join', payload as never);
  await queued;
}

describe('interests and language', () => {
  test('a shared interest beats an older stranger, and commonInterests says why', async () => {
    srv = await startTestServer({ MATCH_INTEREST_TIMEOUT_MS: '60000' });
    const stranger = await connectClient(srv.url);
    const fan = await connectClient(srv.url);
    const newcomer = await connectClient(srv.url);
    await waiting(stranger, { type: 'chat' });
    await waiting(fan, { type: 'chat', preferences: { interests: ['Music', 'chess'] } });
    const found = await joinAndWait(newcomer, { type: 'chat', preferences: { interests: ['movies', 'MUSIC '] } });
    expect(found.partnerId).toBe(fan.session.userId);
    expect(found.commonInterests).toEqual(['music']);
    await expectNoEvent(stranger, 'partner_found');
  });

  test('without a shared interest, users fall back to anyone after MATCH_INTEREST_TIMEOUT_MS', async () => {
    srv = await startTestServer({ MATCH_INTEREST_TIMEOUT_MS: '400' });
    const a = await connectClient(srv.url);
    const b = await connectClient(srv.url);
    const foundA = waitFor(a, 'partner_found', 3000);
    await waiting(a, { type: 'chat', preferences: { interests: ['cats'] } });
    const joinedAt = Date.now();
    const foundB = waitFor(b, 'partner_found', 3000);
    await waiting(b, { type: 'chat', preferences: { interests: ['dogs'] } });
    const [fa, fb] = await Promise.all([foundA, foundB]);
    expect(fa.roomId).toBe(fb.roomId);
    expect(fa.commonInterests).toEqual([]);
    expect(Date.now() - joinedAt).toBeGreaterThanOrEqual(300);
  });

  test('a user with no interests meets an interest user only once that user has waited out', async () => {
    srv = await startTestServer({ MATCH_INTEREST_TIMEOUT_MS: '300' });
    const picky = await connectClient(srv.url);
    const plain = await connectClient(srv.url);
    const found = waitFor(picky, 'partner_found', 3000);
    await waiting(picky, { type: 'chat', preferences: { interests: ['rare'] } });
    await waiting(plain, { type: 'chat' });
    expect((await found).partnerId).toBe(plain.session.userId);
  });

  test('a shared interest needs the same language when both gave one', async () => {
    srv = await startTestServer({ MATCH_INTEREST_TIMEOUT_MS: '60000' });
    const french = await connectClient(srv.url);
    const german = await connectClient(srv.url);
    const english = await connectClient(srv.url);
    await waiting(french, { type: 'chat', preferences: { interests: ['music'], language: 'fr' } });
    await waiting(german, { type: 'chat', preferences: { interests: ['music'], language: 'de-AT' } });
    const found = await joinAndWait(english, { type: 'chat', preferences: { interests: ['music'], language: 'de' } });
    expect(found.partnerId).toBe(german.session.userId);
  });
});

describe('skip', () => {
  test('next ends the room, tells the partner, and queues again in one step', async () => {
    srv = await startTestServer();
    const { a, b } = await pairClients(srv.url);
    const c = await connectClient(srv.url);
    await waiting(c, { type: 'chat' });
    const told = waitFor(b, 'partner_disconnected');
    const found = waitFor(a, 'partner_found');
    a.emit('next');
    expect(await told).toEqual({ reason: 'skipped' });
    expect((await found).partnerId).toBe(c.session.userId);
  });

  test('both users skipping at once each end in exactly one state', async () => {
    srv = await startTestServer({ REMATCH_COOLDOWN_MS: '60000', MATCH_INTEREST_TIMEOUT_MS: '60000' });
    for (let round = 0; round < 5; round += 1) {
      const { a, b } = await pairClients(srv.url);
      const aWaits = waitFor(a, 'waiting_for_partner');
      const bWaits = waitFor(b, 'waiting_for_partner');
      a.emit('next');
      b.emit('next');
      await Promise.all([aWaits, bWaits]);
      await expectNoEvent(a, 'partner_found', 100);
      const { services } = srv.server;
      expect(await services.queue.isWaiting(a.session.userId)).toBe(true);
      expect(await services.queue.isWaiting(b.session.userId)).toBe(true);
      expect(await services.rooms.roomOf(a.session.userId)).toBeUndefined();
      a.disconnect();
      b.disconnect();
    }
    const { body } = await getJson(`${srv.url}/stats`);
    expect(body.activeRooms.total).toBe(0);
  });

  test('next before any join is refused with JOIN_FIRST', async () => {
    srv = await startTestServer();
    const a = await connectClient(srv.url);
    expect(await refusalOf(a, 'next')).toMatchObject({ code: 'JOIN_FIRST', event: 'next' });
  });
});

describe('no quick re-match', () => {
  test('just-met users are not re-paired while someone else is there', async () => {
    srv = await startTestServer({ REMATCH_COOLDOWN_MS: '60000', MATCH_INTEREST_TIMEOUT_MS: '60000' });
    const { a, b } = await pairClients(srv.url);
    const aWaits = waitFor(a, 'waiting_for_partner');
    const bTold = waitFor(b, 'partner_disconnected');
    a.emit('next');
    await Promise.all([aWaits, bTold]);
    // a is the only one waiting: without the cooldown b would be paired with a right here.
    await waiting(b, { type: 'chat' });
    const c = await connectClient(srv.url);
    const d = await connectClient(srv.url);
    expect((await joinAndWait(c, { type: 'chat' })).partnerId).toBe(a.session.userId);
    expect((await joinAndWait(d, { type: 'chat' })).partnerId).toBe(b.session.userId);
  });

  test('with nobody else around they meet again once the interest timeout has passed', async () => {
    srv = await startTestServer({ REMATCH_COOLDOWN_MS: '60000', MATCH_INTEREST_TIMEOUT_MS: '300' });
    const { a, b } = await pairClients(srv.url);
    const again = waitFor(b, 'partner_found', 3000);
    const aWaits = waitFor(a, 'waiting_for_partner');
    const bTold = waitFor(b, 'partner_disconnected');
    a.emit('next');
    await Promise.all([aWaits, bTold]);
    await waiting(b, { type: 'chat' });
    expect((await again).partnerId).toBe(a.session.userId);
  });
});

describe('report and block', () => {
  test('block ends the room and the pair never meets again', async () => {
    srv = await startTestServer({ MATCH_INTEREST_TIMEOUT_MS: '100' });
    const { a, b, roomId } = await pairClients(srv.url);
    const told = waitFor(b, 'partner_disconnected');
    a.emit('block', { roomId });
    await told;
    await waiting(a, { type: 'chat' });
    await waiting(b, { type: 'chat' });
    await expectNoEvent(a, 'partner_found', 400);
    const c = await connectClient(srv.url);
    const found = await joinAndWait(c, { type: 'chat' });
    expect([a.session.userId, b.session.userId]).toContain(found.partnerId);
  });

  test('reports from BAN_REPORT_THRESHOLD distinct partners ban the user until the ban expires', async () => {
    srv = await startTestServer({
      BAN_REPORT_THRESHOLD: '2',
      BAN_IP_REPORT_THRESHOLD: '2',
      REPORT_MIN_ROOM_MS: '0',
      BAN_DURATION_MS: '2000',
    });
    const target = await connectClient(srv.url);
    // Reporters count by address: each comes from its own.
    for (const localAddress of ['127.0.0.2', '127.0.0.3']) {
      const reporter = await connectClient(srv.url, { localAddress } as Parameters<typeof connectClient>[1]);
      await waiting(target, { type: 'chat' });
      const found = await joinAndWait(reporter, { type: 'chat' });
      const told = waitFor(target, 'partner_disconnected');
      reporter.emit('report', { roomId: found.roomId, reason: 'spam', details: 'selling things' });
      await told;
    }
    const refusal = await refusalOf(target, 'join', { type: 'chat' });
    expect(refusal).toMatchObject({ code: 'BANNED', event: 'join' });
    expect(refusal.retryAfterMs).toBeGreaterThan(0);
    expect(refusal.retryAfterMs).toBeLessThanOrEqual(2000);
    const { body } = await getJson(`${srv.url}/stats`);
    expect(body).toMatchObject({ reports: 2, bans: 1 });
    const sameAddress = await connectClient(srv.url);
    expect((await refusalOf(sameAddress, 'join', { type: 'chat' })).code).toBe('BANNED');
    await eventually(
      async () => {
        const outcome = Promise.race([
          waitFor(target, 'waiting_for_partner').then(() => true),
          waitFor(target, 'error').then(() => false),
        ]);
        target.emit('join', { type: 'chat' });
        return outcome;
      },
      6000,
      { everyMs: 50 },
    );
  });

  test('a report for a room the socket is not in is refused', async () => {
    srv = await startTestServer();
    await pairClients(srv.url);
    const outsider = await connectClient(srv.url);
    expect((await refusalOf(outsider, 'report', { roomId: 'not-mine', reason: 'spam' })).code).toBe('NOT_IN_ROOM');
  });
});
