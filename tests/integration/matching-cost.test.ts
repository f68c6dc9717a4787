import { connectClient, pairClients, waitFor, type TestClient } from '../helpers/clients';
import { useModes } from '../helpers/modes';

/**
 * Issue 11's swarm: 600 bots from 30 addresses, all with the same 10 interests and each with its
 * own language, so no two are compatible and, unbounded, every join would examine all of them.
 */
const BOTS = 600;
const ADDRESSES = 30;
const INTERESTS = Array.from({ length: 10 }, (_, i) => `topic${i}`);
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const languageOf = (i: number) => LETTERS[Math.floor(i / 26)]! + LETTERS[i % 26]!;

jest.setTimeout(120_000);

const modes = useModes();

async function boundedScans(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^chat_match_scans_bounded_total (\d+)$/m.exec(text)?.[1]);
}

describe.each(['memory', 'redis'] as const)('bounded matching cost (%s)', (mode) => {
  test('600 incompatible bots from 30 addresses: every join is answered and an honest pair is unaffected', async () => {
    const urls = await modes.start(mode, { MATCH_INTEREST_TIMEOUT_MS: '600000', MATCH_SCAN_LIMIT: '50' });
    const honest = await pairClients([urls[0]!, urls[1]!]);

    const bots: TestClient[] = [];
    for (let batch = 0; batch < BOTS / 50; batch += 1) {
      const connecting = Array.from({ length: 50 }, (_, j) => {
        const i = batch * 50 + j;
        const localAddress = `127.0.0.${2 + (i % ADDRESSES)}`;
        return connectClient(urls[i % 2]!, { transportOptions: { websocket: { localAddress } } });
      });
      bots.push(...(await Promise.all(connecting)));
    }
    const addresses = new Set(
      modes.nodes.flatMap((node) => [...node.server.io.sockets.sockets.values()].map((socket) => socket.handshake.address)),
    );
    expect(addresses.size).toBeGreaterThanOrEqual(ADDRESSES);
    // Generous deadline: the point is that every join is answered, not how fast.
    const answered = bots.map((bot) => waitFor(bot, 'waiting_for_partner', 60_000));
    const received: string[] = [];
    honest.b.on('new_message', (message) => received.push(message.text));
    const sent = Array.from({ length: 20 }, (_, i) => `honest ${i}`);
    bots.forEach((bot, i) => bot.emit('join', { type: 'chat', preferences: { interests: INTERESTS, language: languageOf(i) } }));
    for (const text of sent) honest.a.emit('send_message', { roomId: honest.roomId, message: text });
    await Promise.all(answered);

    // Newcomers without interests still pair at once while the swarm waits.
    const newcomers = await pairClients([urls[1]!, urls[0]!]);
    expect(newcomers.foundA.partnerId).toBe(newcomers.b.session.userId);
    const last = waitFor(honest.b, 'new_message', 10_000, (message) => message.text === 'after the swarm');
    honest.a.emit('send_message', { roomId: honest.roomId, message: 'after the swarm' });
    await last;
    expect(received).toEqual([...sent, 'after the swarm']);
    const scans = await Promise.all([...new Set(urls)].map(boundedScans));
    expect(scans.reduce((total, count) => total + count, 0)).toBeGreaterThan(BOTS / 2);
  });
});
