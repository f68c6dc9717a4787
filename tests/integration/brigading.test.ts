import Transport from 'winston-transport';
import { connectClient, eventually, expectNoEvent, joinAndWait, waitFor, type TestClient } from '../helpers/clients';
import { useModes, type Mode } from '../helpers/modes';
import { getJson, type TestServer } from '../helpers/server';

/** A long minimum room time: in these tests a report counts only once the victim has written. */
const ENV = {
  REPORT_MIN_ROOM_MS: '600000',
  BAN_DURATION_MS: '600000',
  IP_HASH_SALT: 'brigading-salt',
  ADMIN_TOKENS: 'mod:0123456789abcdef',
};
const VICTIM_ADDRESS = '127.0.0.10';

class CapturedLogs extends Transport {
  readonly lines: string[] = [];
  override log(info: unknown, done: () => void): void {
    this.lines.push(JSON.stringify(info));
    done();
  }
}

const modes = useModes();
let srv: TestServer;

async function start(backend: Mode, env: Record<string, string> = {}): Promise<void> {
  srv = await modes.single(backend, { ...ENV, ...env });
}

function connectFrom(localAddress: string): Promise<TestClient> {
  return connectClient(srv.url, { localAddress } as Parameters<typeof connectClient>[1]);
}

/**
 * The victim waits, a fresh attacker socket from `address` is paired with it, the victim writes
 * (when `victimWrites`), and the attacker reports. Resolves once the victim was told the room ended.
 */
async function reportFrom(victim: TestClient, address: string, victimWrites = true): Promise<void> {
  const attacker = await connectFrom(address);
  const victimFound = waitFor(victim, 'partner_found');
  victim.emit('join', { type: 'chat' });
  await waitFor(victim, 'waiting_for_partner');
  const { roomId } = await joinAndWait(attacker, { type: 'chat' });
  await victimFound;
  // In Redis mode partner_found can arrive before the server has the sockets in the room.
  const inRoom = (socket: TestClient) => srv.server.io.sockets.sockets.get(socket.id!)?.rooms.has(roomId) === true;
  await eventually(() => inRoom(victim) && inRoom(attacker));
  if (victimWrites) {
    victim.emit('send_message', { roomId, message: 'hi' });
    // The message counts once it is in the room's history, which is written just after delivery.
    await eventually(async () => (await srv.server.history.read(roomId)).length > 0);
  }
  const ended = waitFor(victim, 'partner_disconnected');
  attacker.emit('report', { roomId, reason: 'harassment', details: 'call me at +1 555 0100' });
  await ended;
  attacker.disconnect();
}

/** A fresh socket from `address` waits next to the waiting victim without being paired with it. */
async function expectCannotReach(victim: TestClient, address: string): Promise<void> {
  const attacker = await connectFrom(address);
  expect(await joinOutcome(victim, false)).toBe('waiting');
  expect(await joinOutcome(attacker, false)).toBe('waiting');
  await expectNoEvent(victim, 'partner_found', 300);
  victim.emit('leave_queue');
  attacker.disconnect();
  await eventually(async () => !(await srv.server.services.queue.isWaiting(victim.session.userId)));
}

async function joinOutcome(socket: TestClient, leave = true): Promise<string> {
  const outcome = Promise.race([
    waitFor(socket, 'waiting_for_partner').then(() => 'waiting'),
    waitFor(socket, 'error').then((error: { code: string }) => error.code),
  ]);
  socket.emit('join', { type: 'chat' });
  const result = await outcome;
  if (result === 'waiting' && leave) socket.emit('leave_queue');
  return result;
}

describe.each(['memory', 'redis'] as const)('reports one attacker cannot aim (%s)', (backend) => {
  test('any number of sockets from one or two addresses ban nobody', async () => {
    await start(backend);
    const victim = await connectFrom(VICTIM_ADDRESS);
    for (const address of ['127.0.0.2', '127.0.0.3']) {
      await reportFrom(victim, address);
      // More sockets from a reporting address cannot even reach the victim again: a report blocks
      // the two addresses too (pair history by IP hash).
      for (let i = 0; i < 2; i += 1) await expectCannotReach(victim, address);
    }
    expect(await joinOutcome(victim)).toBe('waiting');
    const neighbour = await connectFrom(VICTIM_ADDRESS);
    expect(await joinOutcome(neighbour)).toBe('waiting');
    expect((await getJson(`${srv.url}/stats`)).body).toMatchObject({ reports: 2, bans: 0 });
  });

  test('reports from three addresses (the default threshold) ban the user and their address', async () => {
    await start(backend);
    const victim = await connectFrom(VICTIM_ADDRESS);
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) await reportFrom(victim, address);
    expect(await joinOutcome(victim)).toBe('BANNED');
    expect(await joinOutcome(await connectFrom(VICTIM_ADDRESS))).toBe('BANNED');
    expect(await joinOutcome(await connectFrom('127.0.0.11'))).toBe('waiting');
    expect((await getJson(`${srv.url}/stats`)).body).toMatchObject({ bans: 1 });
  });

  test('below BAN_IP_REPORT_THRESHOLD addresses a ban covers the user, not everyone behind their address', async () => {
    await start(backend, { BAN_REPORT_THRESHOLD: '2' });
    const victim = await connectFrom(VICTIM_ADDRESS);
    await reportFrom(victim, '127.0.0.2');
    await reportFrom(victim, '127.0.0.3');
    expect(await joinOutcome(victim)).toBe('BANNED');
    expect(await joinOutcome(await connectFrom(VICTIM_ADDRESS))).toBe('waiting');
  });

  test('reports after a short room in which the reported user wrote nothing do not count', async () => {
    await start(backend, { BAN_REPORT_THRESHOLD: '2' });
    const victim = await connectFrom(VICTIM_ADDRESS);
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) await reportFrom(victim, address, false);
    expect(await joinOutcome(victim)).toBe('waiting');
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toMatch(/^chat_reports_uncounted_total\{why="short_room"\} 3$/m);
  });
});

test('the free text of a report is stored for moderators but never logged', async () => {
  await start('memory', { LOG_LEVEL: 'debug', BAN_REPORT_THRESHOLD: '1' });
  const logs = new CapturedLogs();
  srv.server.logger.clear().add(logs);
  const victim = await connectFrom(VICTIM_ADDRESS);
  await reportFrom(victim, '127.0.0.2');
  expect(logs.lines.some((line) => line.includes('user reported'))).toBe(true);
  expect(logs.lines.some((line) => line.includes('user banned'))).toBe(true);
  expect(logs.lines.join('\n')).not.toContain('555 0100');
  const { items } = await srv.server.services.moderation.listReports({ limit: 10, status: 'all' }, Date.now());
  expect(items).toEqual([expect.objectContaining({ details: 'call me at +1 555 0100', reason: 'harassment', status: 'open' })]);
});
