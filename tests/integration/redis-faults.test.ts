import { emptyTotals } from '../../src/domain/counters';
import { connectClient, eventually, expectNoEvent, pairClients, refusalOf, waitFor, type TestClient } from '../helpers/clients';
import { Redis } from 'ioredis';
import { poolKey } from '../../src/domain/pools';
import { RedisMatchQueue } from '../../src/domain/redis/redis-match-queue';
import { RedisPresence } from '../../src/domain/redis/redis-presence';
import { useModes } from '../helpers/modes';
import { getJson } from '../helpers/server';

/** The modes' cluster settings, with a quicker death and a short Redis command timeout. */
const FAULT_ENV = { NODE_DEAD_AFTER_MS: '2000', REDIS_COMMAND_TIMEOUT_MS: '500' };

// A frozen redis-server must run again before the nodes on it can shut down (runs before useModes' own).
afterEach(() => {
  if (modes.nodes.length > 0) modes.redis.thaw();
});
const modes = useModes();

function startNodes<N extends number>(count: N, env: Record<string, string> = {}) {
  return modes.cluster(count, { ...FAULT_ENV, ...env });
}

async function deliver(a: TestClient, b: TestClient, roomId: string, text: string): Promise<void> {
  const delivered = waitFor(b, 'new_message', 5000, (m) => m.text === text);
  a.emit('send_message', { roomId, message: text });
  await delivered;
}

describe('a frozen Redis (SIGSTOP) counts as a down one', () => {
  test('same-node pairs keep chatting, new sockets get their session, a join gets UNAVAILABLE', async () => {
    const [node] = await startNodes(1);
    const { a, b, roomId } = await pairClients(node.url);
    modes.redis.freeze();
    // The watchdog counts Redis as down within half of REDIS_COMMAND_TIMEOUT_MS; from then on a
    // same-node pair needs nothing from it.
    await eventually(async () => (await getJson(`${node.url}/health`)).status === 503);
    await deliver(a, b, roomId, 'frozen 1');
    await deliver(b, a, roomId, 'frozen 2');
    const newcomer = await connectClient(node.url);
    const refused = await refusalOf(newcomer, 'join', { type: 'chat' });
    expect(refused.code).toBe('UNAVAILABLE');
    await deliver(a, b, roomId, 'still frozen');
    modes.redis.thaw();
    await eventually(async () => (await getJson(`${node.url}/health`)).status === 200, 10000);
    await deliver(a, b, roomId, 'thawed');
    await pairClients(node.url);
  });
});

describe('Redis down', () => {
  test('a cross-node message or signal is refused with UNAVAILABLE, not echoed; same-node chat goes on', async () => {
    const [one, two] = await startNodes(2);
    const across = await pairClients([one.url, two.url]);
    const local = await pairClients(one.url);
    await modes.redis.stop();
    await eventually(async () => (await getJson(`${one.url}/health`)).status === 503);
    const noEcho = expectNoEvent(across.a, 'new_message', 500);
    const refused = await refusalOf(across.a, 'send_message', { roomId: across.roomId, message: 'lost?' });
    expect(refused).toMatchObject({ code: 'UNAVAILABLE', event: 'send_message' });
    await noEcho;
    const signals = [
      ['offer', { roomId: across.roomId, offer: { type: 'offer', sdp: 'v=0\r\n' } }],
      ['answer', { roomId: across.roomId, answer: { type: 'answer', sdp: 'v=0\r\n' } }],
      ['ice_candidate', { roomId: across.roomId, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } }],
    ] as const;
    for (const [event, payload] of signals)
      expect(await refusalOf(across.a, event, payload)).toMatchObject({ code: 'UNAVAILABLE', event });
    await deliver(local.a, local.b, local.roomId, 'same node');
    // back up, so that the nodes can shut down cleanly
    await modes.redis.restart();
    for (const node of [one, two])
      await eventually(async () => (await getJson(`${node.url}/health`)).status === 200, 10000, { everyMs: 100 });
  });
});

describe('a node killed with -9', () => {
  test('its waiting users are never paired once it missed its heartbeats: the newcomer waits, the ghost is dropped', async () => {
    const [node] = await startNodes(1);
    const client = new Redis(modes.redis.url);
    try {
      // What a killed node leaves behind: a queue entry, and a heartbeat that stopped a while ago.
      const deadAt = Date.now() - 1500;
      await new RedisPresence(client, { nodeId: 'killed-node', deadAfterMs: 60_000, clock: () => deadAt }).report(
        1,
        emptyTotals(),
      );
      const queue = new RedisMatchQueue(client, { interestTimeoutMs: 5000 });
      await queue.matchOrEnqueue(
        {
          userId: 'ghost',
          socketId: 'ghost-socket',
          nodeId: 'killed-node',
          ipHash: 'ghost-ip',
          type: 'chat',
          pool: poolKey({}),
          interests: [],
          enqueuedAt: deadAt - 1000,
        },
        deadAt - 1000,
      );
      const newcomer = await connectClient(node.url);
      const noGhost = expectNoEvent(newcomer, 'partner_found', 500);
      const waiting = waitFor(newcomer, 'waiting_for_partner');
      newcomer.emit('join', { type: 'chat' });
      await waiting;
      await noGhost;
      expect(await node.server.services.queue.isWaiting('ghost')).toBe(false);
      // and the next user meets the newcomer, not a ghost
      const next = await connectClient(node.url);
      const found = waitFor(next, 'partner_found');
      next.emit('join', { type: 'chat' });
      expect((await found).partnerId).toBe(newcomer.session.userId);
    } finally {
      client.disconnect();
    }
  });
});

describe('a node shutting down', () => {
  test('a room change that reaches the adapter after its Redis connections closed rejects nothing', async () => {
    const [node] = await startNodes(1);
    const adapter = node.server.io.of('/').adapter;
    void adapter.addAll('late-socket', new Set(['room-before-close']));
    await node.close();
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      // A socket that leaves its rooms as the node goes down: (un)subscriptions on an ended connection.
      void adapter.addAll('late-socket', new Set(['room-after-close']));
      adapter.delAll('late-socket');
      // Unhandled rejections are reported once the microtasks of this turn have run.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', record);
    }
    expect(unhandled).toEqual([]);
  });
});
