import { connectClient, expectNoEvent, joinAndWait, waitFor, type TestClient } from '../helpers/clients';
import { useModes } from '../helpers/modes';

/**
 * Issue 11, "stalking through interests": blocks and the re-match cooldown hold between addresses,
 * so fresh sockets from a blocked or just-met address cannot reach the same user again. Other
 * addresses on loopback (127.0.0.2, ...) stand for other users' IPs.
 */
const ENV = { REMATCH_COOLDOWN_MS: '60000', MATCH_INTEREST_TIMEOUT_MS: '60000' };

const modes = useModes();

function connectFrom(url: string, localAddress: string): Promise<TestClient> {
  return connectClient(url, { transportOptions: { websocket: { localAddress } } });
}

async function waiting(client: TestClient, interests: string[]): Promise<void> {
  const queued = waitFor(client, 'waiting_for_partner');
  client.emit('join', { type: 'chat', preferences: { interests } });
  await queued;
}

/** The victim, alone on 127.0.0.1 with a rare interest, meets the other address once. */
async function firstMeeting(victimUrl: string, otherUrl: string) {
  const victim = await connectFrom(victimUrl, '127.0.0.1');
  const other = await connectFrom(otherUrl, '127.0.0.2');
  await waiting(victim, ['rare']);
  const found = await joinAndWait(other, { type: 'chat', preferences: { interests: ['rare'] } });
  expect(found.partnerId).toBe(victim.session.userId);
  return { victim, other, roomId: found.roomId };
}

/** The victim waits again; a fresh socket from the same other address is kept away, a third address is not. */
async function expectAddressKeptAway(victim: TestClient, victimUrl: string, otherUrl: string): Promise<void> {
  const victimFound = waitFor(victim, 'partner_found');
  await waiting(victim, ['rare']);
  const fresh = await connectFrom(otherUrl, '127.0.0.2');
  await waiting(fresh, ['rare']);
  await expectNoEvent(victim, 'partner_found', 300);
  const passerBy = await connectFrom(victimUrl, '127.0.0.3');
  const found = await joinAndWait(passerBy, { type: 'chat', preferences: { interests: ['rare'] } });
  expect(found.partnerId).toBe(victim.session.userId);
  expect((await victimFound).partnerId).toBe(passerBy.session.userId);
}

describe.each(['memory', 'redis'] as const)('pair history between addresses (%s)', (mode) => {
  test('a blocked address cannot reach the same user again with fresh sockets', async () => {
    const [one, two] = (await modes.start(mode, ENV)) as [string, string];
    const { victim, other, roomId } = await firstMeeting(one, two);
    const ended = waitFor(other, 'partner_disconnected');
    victim.emit('block', { roomId });
    await ended;
    other.disconnect();
    await expectAddressKeptAway(victim, one, two);
  });

  test('a reported address cannot reach the same user again with fresh sockets', async () => {
    const [one, two] = (await modes.start(mode, ENV)) as [string, string];
    const { victim, other, roomId } = await firstMeeting(one, two);
    const ended = waitFor(other, 'partner_disconnected');
    victim.emit('report', { roomId, reason: 'harassment' });
    await ended;
    other.disconnect();
    await expectAddressKeptAway(victim, one, two);
  });

  test('a just-met address does not meet the same user again within the cooldown', async () => {
    const [one, two] = (await modes.start(mode, ENV)) as [string, string];
    const { victim, other, roomId } = await firstMeeting(one, two);
    const ended = waitFor(victim, 'partner_disconnected');
    other.emit('leave_room', { roomId });
    await ended;
    other.disconnect();
    await expectAddressKeptAway(victim, one, two);
  });
});
