import type { AuditEntry, Ban, Report } from '../../src/domain/moderation';
import { connectClient, pairClients, waitFor } from '../helpers/clients';
import { ADMIN_TOKENS, admin, connectFrom, reportUser } from '../helpers/moderation';
import { useModes } from '../helpers/modes';
import type { TestServer } from '../helpers/server';

const ENV = {
  ADMIN_TOKENS,
  REPORT_MIN_ROOM_MS: '0',
  NODE_HEARTBEAT_MS: '200',
  NODE_DEAD_AFTER_MS: '2000',
  IP_HASH_SALT: 'admin-cluster-salt',
};

const modes = useModes();
let one: TestServer;
let two: TestServer;

beforeEach(async () => {
  [one, two] = await modes.cluster(2, ENV);
});

test('a kick sent to node one reaches a user on node two; the partner on node one is told', async () => {
  const { a, b } = await pairClients([one.url, two.url]);
  const kicked = waitFor(b, 'error');
  const gone = waitFor(b, 'disconnect');
  const partnerTold = waitFor(a, 'partner_disconnected');
  expect((await admin(one.url, 'POST', `/users/${b.session.userId}/disconnect`)).status).toBe(200);
  expect(await kicked).toMatchObject({ code: 'KICKED' });
  expect(await gone).toBe('io server disconnect');
  expect(await partnerTold).toEqual({ reason: 'left' });
  const { entries } = (await admin<{ entries: AuditEntry[] }>(two.url, 'GET', '/audit')).body;
  expect(entries[0]).toMatchObject({ actor: 'alice', action: 'kick', target: `user:${b.session.userId}` });
});

test('a user on node two who is only waiting is found and kicked from node one', async () => {
  const user = await connectClient(two.url);
  const waiting = waitFor(user, 'waiting_for_partner');
  user.emit('join', { type: 'chat' });
  await waiting;
  const kicked = waitFor(user, 'error');
  const gone = waitFor(user, 'disconnect');
  expect((await admin(one.url, 'POST', `/users/${user.session.userId}/disconnect`)).body).toEqual({ disconnected: 1 });
  expect(await kicked).toMatchObject({ code: 'KICKED' });
  expect(await gone).toBe('io server disconnect');
  expect((await admin(one.url, 'POST', '/users/nobody/disconnect')).status).toBe(404);
});

test('reports and bans made on one node are listed and enforced on the other', async () => {
  const victim = await connectFrom(two.url, '127.0.0.10');
  await reportUser(two.url, victim, '127.0.0.2', { details: 'made on node two' });
  const { reports } = (await admin<{ reports: Report[] }>(one.url, 'GET', '/reports')).body;
  expect(reports).toEqual([expect.objectContaining({ reportedId: victim.session.userId, details: 'made on node two' })]);

  const { ban } = (
    await admin<{ ban: Ban }>(one.url, 'POST', '/bans', { userId: victim.session.userId, durationMs: 60_000, reason: 'r' })
  ).body;
  expect((await admin<{ bans: Ban[] }>(two.url, 'GET', '/bans')).body.bans.map(({ id }) => id)).toEqual([ban.id]);
  const refused = waitFor(victim, 'error');
  victim.emit('join', { type: 'chat' });
  expect(await refused).toMatchObject({ code: 'BANNED' });

  expect((await admin(two.url, 'DELETE', `/bans/${ban.id}`)).status).toBe(200);
  expect((await admin<{ bans: Ban[] }>(one.url, 'GET', '/bans')).body.bans).toEqual([]);
  const other = await connectClient(one.url);
  const waiting = waitFor(other, 'waiting_for_partner');
  other.emit('join', { type: 'chat' });
  await waiting;
});
