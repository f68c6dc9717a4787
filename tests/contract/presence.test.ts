import { emptyTotals, type Totals } from '../../src/domain/counters';
import { RedisPresence } from '../../src/domain/redis/redis-presence';
import { eventually } from '../helpers/clients';
import { contractBackends } from './backends';

const { backends, redis } = contractBackends();

function totals(n: number): Totals {
  const t = emptyTotals();
  t.matches = n;
  t.messagesRelayed = 10 * n;
  t.signalsRelayed = 100 * n;
  t.reports = n;
  t.bans = 1;
  t.refusals.INVALID_PAYLOAD = n;
  return t;
}

describe.each(backends)('Presence contract (%s)', (_name, backend) => {
  test('reports this node’s connected count and totals', async () => {
    const presence = backend.presence('node-1', 15_000);
    expect(presence.nodeId).toBe('node-1');
    await presence.report(7, totals(2));
    expect(await presence.connectedCount()).toBe(7);
    expect(await presence.totals()).toEqual(totals(2));
    await presence.report(3, totals(4));
    expect(await presence.connectedCount()).toBe(3);
    expect(await presence.totals()).toEqual(totals(4));
  });

  test('knows its own heartbeat, not that of a node it never heard of', async () => {
    const presence = backend.presence('node-1', 15_000);
    await presence.report(1, totals(1));
    expect(await presence.lastHeartbeat('node-1')).toEqual(expect.any(Number));
    expect(await presence.lastHeartbeat('no-such-node')).toBeUndefined();
  });

  test('a node never counts itself dead', async () => {
    const presence = backend.presence('node-1', 15_000);
    await presence.report(1, totals(1));
    expect(await presence.deadNodes(Date.now() + 60_000)).toEqual([]);
    expect(await presence.firstPeerDeadline()).toBeUndefined();
  });
});

describe('RedisPresence across nodes', () => {
  const DEAD_AFTER = 15_000;

  test('sums live nodes; finds and forgets dead ones', async () => {
    const prefix = redis.freshPrefix();
    let now = 1_700_000_000_000;
    const make = (nodeId: string) =>
      new RedisPresence(redis.client(), { nodeId, deadAfterMs: DEAD_AFTER, prefix, clock: () => now });
    const [a, b, c] = [make('a'), make('b'), make('c')];
    await a.report(5, totals(1));
    await b.report(7, totals(2));
    expect(await c.connectedCount()).toBe(12);
    const sum = await c.totals();
    expect(sum.matches).toBe(3);
    expect(sum.messagesRelayed).toBe(30);
    expect(sum.refusals.INVALID_PAYLOAD).toBe(3);
    expect(sum.bans).toBe(2);

    expect(await a.firstPeerDeadline()).toBe(now + DEAD_AFTER);
    now += 10_000;
    await b.report(7, totals(2));
    expect(await a.firstPeerDeadline()).toBe(now + DEAD_AFTER);
    expect(await b.firstPeerDeadline()).toBe(now - 10_000 + DEAD_AFTER);
    expect(await c.firstPeerDeadline()).toBe(now - 10_000 + DEAD_AFTER);
    expect(await c.deadNodes(now)).toEqual([]);
    expect(await c.deadNodes(now + DEAD_AFTER - 10_000 + 1)).toEqual(['a']);
    expect((await c.deadNodes(now + DEAD_AFTER + 1)).sort()).toEqual(['a', 'b']);

    expect(await c.lastHeartbeat('a')).toBe(now - 10_000);
    expect(await c.lastHeartbeat('b')).toBe(now);
    await c.forgetNode('a');
    expect(await c.lastHeartbeat('a')).toBeUndefined();
    expect(await c.deadNodes(now + DEAD_AFTER + 1)).toEqual(['b']);
    expect(await c.connectedCount()).toBe(7);
    expect((await c.totals()).matches).toBe(2);
  });

  test('a node that stops reporting drops out of the sums after deadAfterMs', async () => {
    const prefix = redis.freshPrefix();
    const quiet = new RedisPresence(redis.client(), { nodeId: 'quiet', deadAfterMs: 50, prefix });
    const observer = new RedisPresence(redis.client(), { nodeId: 'observer', deadAfterMs: 50, prefix });
    await quiet.report(4, totals(1));
    expect(await observer.connectedCount()).toBe(4);
    await eventually(async () => (await observer.connectedCount()) === 0, 2000, { what: 'heartbeat expiring' });
    expect(await observer.totals()).toEqual(emptyTotals());
    expect(await observer.deadNodes(Date.now())).toEqual(['quiet']);
  });
});
