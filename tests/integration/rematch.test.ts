import { connectClient, expectNoEvent, joinAndWait, pairClients, waitFor, type TestClient } from '../helpers/clients';
import { useModes } from '../helpers/modes';

/**
 * Who may meet again, in memory and in Redis (the Lua queue keeps its own copy of the rules). Each
 * test puts both users of a pair in the queue at once, so the rule under test is the only thing that
 * keeps them apart.
 */
describe.each(['memory', 'redis'] as const)('re-meeting rules (%s)', (backend) => {
  const modes = useModes();

  async function start(env: Record<string, string>): Promise<string> {
    return (await modes.single(backend, env)).url;
  }

  /** Joins and resolves once queued; fails at once if a partner is found instead. */
  function queued(client: TestClient): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        client.off('waiting_for_partner', onWaiting);
        client.off('partner_found', onFound);
        if (error) reject(error);
        else resolve();
      };
      const onWaiting = () => settle();
      const onFound = ({ partnerId }: { partnerId?: string }) => settle(new Error(`paired with ${partnerId} instead of waiting`));
      const timer = setTimeout(() => settle(new Error('neither queued nor paired within deadline')), 5000);
      client.on('waiting_for_partner', onWaiting);
      client.on('partner_found', onFound);
      client.emit('join', { type: 'chat' });
    });
  }

  test('just-met users both waiting are not re-paired, and a newcomer meets one of them', async () => {
    const url = await start({ REMATCH_COOLDOWN_MS: '60000', MATCH_INTEREST_TIMEOUT_MS: '60000' });
    const { a, b } = await pairClients(url);
    const aWaits = waitFor(a, 'waiting_for_partner');
    const bTold = waitFor(b, 'partner_disconnected');
    a.emit('next');
    await Promise.all([aWaits, bTold]);
    await queued(b);
    const c = await connectClient(url);
    const found = await joinAndWait(c, { type: 'chat' });
    expect([a.session.userId, b.session.userId]).toContain(found.partnerId);
  });

  test('a reported pair never meets again, even with nobody else around', async () => {
    // Short interest timeout and no cooldown: only the report's block keeps them apart.
    const url = await start({ MATCH_INTEREST_TIMEOUT_MS: '100' });
    const { a, b, roomId } = await pairClients(url);
    const told = waitFor(b, 'partner_disconnected');
    a.emit('report', { roomId, reason: 'spam' });
    expect(await told).toEqual({ reason: 'left' });
    await queued(a);
    await queued(b);
    await expectNoEvent(a, 'partner_found', 400);
    const c = await connectClient(url);
    const found = await joinAndWait(c, { type: 'chat' });
    expect([a.session.userId, b.session.userId]).toContain(found.partnerId);
  });
});
