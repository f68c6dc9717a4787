import type { Ban } from '../../src/domain/moderation';
import { connectClient, expectNoEvent, joinAndWait, waitFor, type TestClient } from '../helpers/clients';
import { connectFrom, reportUser } from '../helpers/moderation';
import { useModes, type Mode } from '../helpers/modes';
import type { TestServer } from '../helpers/server';

const modes = useModes();
let srv: TestServer;

async function start(backend: Mode, env: Record<string, string>): Promise<void> {
  srv = await modes.single(backend, { MATCH_INTEREST_TIMEOUT_MS: '0', ...env });
}

async function banUser(user: TestClient, mode?: Ban['mode']): Promise<Ban> {
  const now = Date.now();
  const ban: Ban = {
    id: `ban-${user.session.userId}`,
    userId: user.session.userId,
    until: now + 600_000,
    reason: 'test',
    mode: mode ?? srv.config.safety.banMode,
    actor: 'test',
    at: now,
  };
  await srv.server.services.moderation.addBan(ban);
  return ban;
}

async function waits(socket: TestClient): Promise<void> {
  const waiting = waitFor(socket, 'waiting_for_partner');
  socket.emit('join', { type: 'chat' });
  await waiting;
}

describe.each(['memory', 'redis'] as const)('shadow bans (%s)', (backend) => {
  test('BAN_MODE=shadow: a banned user is not told and never meets an unbanned one', async () => {
    await start(backend, { BAN_MODE: 'shadow' });
    const [shadowA, shadowB, plainA, plainB] = await Promise.all([1, 2, 3, 4].map(() => connectClient(srv.url)));
    await banUser(shadowA!);
    await banUser(shadowB!);
    const shadowFound = waitFor(shadowA!, 'partner_found');
    const plainFound = waitFor(plainA!, 'partner_found');
    await waits(shadowA!);
    await waits(plainA!);
    // Both wait in the same queue type, yet are not paired with each other.
    await expectNoEvent(shadowA!, 'partner_found', 300);
    expect((await joinAndWait(plainB!, { type: 'chat' })).partnerId).toBe(plainA!.session.userId);
    expect((await joinAndWait(shadowB!, { type: 'chat' })).partnerId).toBe(shadowA!.session.userId);
    expect((await shadowFound).partnerId).toBe(shadowB!.session.userId);
    expect((await plainFound).partnerId).toBe(plainB!.session.userId);
  });

  test('after the shadow ban is lifted the next join waits with everyone again', async () => {
    await start(backend, { BAN_MODE: 'shadow' });
    const [user, other] = await Promise.all([connectClient(srv.url), connectClient(srv.url)]);
    const ban = await banUser(user);
    await waits(user);
    user.emit('leave_queue');
    await srv.server.services.moderation.liftBan(ban.id, Date.now());
    await waits(other);
    expect((await joinAndWait(user, { type: 'chat' })).partnerId).toBe(other.session.userId);
  });

  test('BAN_MODE=shadow applies to automatic bans: the reported user keeps waiting, alone', async () => {
    await start(backend, { BAN_MODE: 'shadow', BAN_REPORT_THRESHOLD: '1', REPORT_MIN_ROOM_MS: '0' });
    const reported = await connectClient(srv.url);
    await reportUser(srv.url, reported, '127.0.0.2');
    expect((await srv.server.services.moderation.listBans(Date.now()))[0]).toMatchObject({ mode: 'shadow', actor: 'auto' });
    await waits(reported);
    const plain = await connectFrom(srv.url, '127.0.0.3');
    await waits(plain);
    await expectNoEvent(reported, 'partner_found', 300);
  });

  test('BAN_MODE=hard: the banned user is refused with BANNED', async () => {
    await start(backend, { BAN_MODE: 'hard' });
    const user = await connectClient(srv.url);
    await banUser(user);
    const refused = waitFor(user, 'error');
    user.emit('join', { type: 'chat' });
    expect(await refused).toMatchObject({ code: 'BANNED', event: 'join' });
  });
});
