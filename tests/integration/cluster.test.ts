import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import { connectClient, eventually, expectNoEvent, joinAndWait, pairClients, waitFor, type TestClient } from '../helpers/clients';
import { startChildServer, type ChildServer } from '../helpers/child-server';
import { useModes } from '../helpers/modes';
import { getJson, type TestServer } from '../helpers/server';

const CLUSTER_ENV = { NODE_HEARTBEAT_MS: '200', NODE_DEAD_AFTER_MS: '2000', IP_HASH_SALT: 'test-salt' };

const modes = useModes();

/** `count` nodes on the test's own fresh redis-server (one call a test: `modes.redis` is its redis). */
function startNodes(count: number, env: Record<string, string> = {}): Promise<TestServer[]> {
  return modes.cluster(count, { ...CLUSTER_ENV, ...env });
}

/** This node's count of one kind of cluster repair, from /metrics. */
async function repairs(url: string, kind: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^chat_cluster_repairs_total\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
}

test('users on different nodes pair, chat, type and signal', async () => {
  const [one, two] = await startNodes(2);
  const { a, b, roomId, foundA, foundB } = await pairClients([one!.url, two!.url], 'video');
  expect(foundA.roomId).toBe(foundB.roomId);
  expect(foundA.partnerId).toBe(b.session.userId);
  expect([foundA.initiator, foundB.initiator].sort()).toEqual([false, true]);

  const message = waitFor(b, 'new_message');
  a.emit('send_message', { roomId, message: 'across nodes' });
  expect(await message).toMatchObject({ text: 'across nodes', sender: a.session.userId });
  const typing = waitFor(a, 'user_typing');
  b.emit('typing', { roomId, isTyping: true });
  expect(await typing).toEqual({ isTyping: true });
  const offer = waitFor(b, 'offer');
  a.emit('offer', { roomId, offer: { type: 'offer', sdp: 'v=0' } });
  expect(await offer).toEqual({ offer: { type: 'offer', sdp: 'v=0' } });

  // Cluster counts are summed from each node's heartbeat, so they settle rather than update at once.
  await eventually(
    async () => {
      const { body } = await getJson(`${one!.url}/stats`);
      return body.connectedUsers === 2 && body.activeRooms.total === 1;
    },
    5000,
    { what: 'cluster stats showing 2 users in 1 room' },
  );
  const left = waitFor(a, 'partner_disconnected');
  b.emit('leave_room', { roomId });
  expect(await left).toEqual({ reason: 'left' });
});

test('500 users joining at once across three nodes are each paired exactly once', async () => {
  const servers = await startNodes(3);
  const clients: TestClient[] = [];
  for (let batch = 0; batch < 10; batch += 1) {
    clients.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => connectClient(servers[(batch * 50 + i) % 3]!.url)))));
  }
  const found = clients.map((client) => waitFor(client, 'partner_found', 20000));
  for (const client of clients) client.emit('join', { type: 'chat' });
  const results = await Promise.all(found);
  const byRoom = new Map<string, string[]>();
  results.forEach((result, i) => byRoom.set(result.roomId, [...(byRoom.get(result.roomId) ?? []), clients[i]!.session.userId]));
  expect(byRoom.size).toBe(250);
  for (const [, users] of byRoom) expect(new Set(users).size).toBe(2);
  results.forEach((result, i) => {
    const partners = byRoom.get(result.roomId)!;
    expect(partners).toContain(result.partnerId);
    expect(result.partnerId).not.toBe(clients[i]!.session.userId);
  });
  const { body } = await getJson(`${servers[0]!.url}/stats`);
  expect(body.waitingUsers.total).toBe(0);
  expect(body.activeRooms.chat).toBe(250);
}, 60000);

test('when Redis stops the node reports degraded; when it returns, pairing resumes', async () => {
  const [one, two] = await startNodes(2);
  const local = await pairClients(one!.url);
  await modes.redis.stop();
  await eventually(async () => (await getJson(`${one!.url}/health`)).status === 503, 5000);
  const { body } = await getJson(`${one!.url}/health`);
  expect(body.status).toBe('degraded');
  expect((await fetch(`${one!.url}/ready`)).status).toBe(503);
  const stats = await getJson(`${one!.url}/stats`);
  expect(stats.status).toBe(503);
  expect(stats.body.error.code).toBe('UNAVAILABLE');
  // Local work goes on: a pair on one node keeps talking, and new sockets are admitted with the
  // per-IP limits falling back to memory.
  const stillTalking = waitFor(local.b, 'new_message');
  local.a.emit('send_message', { roomId: local.roomId, message: 'redis is down' });
  expect((await stillTalking).text).toBe('redis is down');
  const newcomer = await connectClient(one!.url);
  const unavailable = waitFor(newcomer, 'error', 8000);
  newcomer.emit('join', { type: 'chat' });
  expect(await unavailable).toMatchObject({ code: 'UNAVAILABLE', event: 'join' });
  await modes.redis.restart();
  await eventually(async () => (await getJson(`${one!.url}/health`)).status === 200, 10000, { everyMs: 100 });
  const { foundA } = await pairClients([one!.url, two!.url]);
  expect(foundA.roomId).toEqual(expect.any(String));
}, 30000);

test('when Redis restarts empty, waiting users are queued again and paired users are told their room ended', async () => {
  const [one, two] = await startNodes(2);
  const pair = await pairClients([one!.url, two!.url]);
  const waiter = await connectClient(one!.url);
  const waiting = waitFor(waiter, 'waiting_for_partner');
  waiter.emit('join', { type: 'chat' });
  await waiting;
  const found = waitFor(waiter, 'partner_found', 15000);
  const ended = [pair.a, pair.b].map((client) => waitFor(client, 'partner_disconnected', 15000));
  await modes.redis.restart();
  expect(await Promise.all(ended)).toEqual([{ reason: 'disconnected' }, { reason: 'disconnected' }]);
  const newcomer = await connectClient(two!.url);
  newcomer.emit('join', { type: 'chat' });
  expect((await found).partnerId).toBe(newcomer.session.userId);
  const counted = async () =>
    (await repairs(one!.url, 'requeued_waiter')) === 1 &&
    (await repairs(one!.url, 'ended_lost_room')) === 1 &&
    (await repairs(two!.url, 'ended_lost_room')) === 1;
  await eventually(counted, 5000, { what: 'the repairs counted in /metrics' });
}, 30000);

test('a dropped user recovers their session on another node within the grace', async () => {
  const [one, two] = await startNodes(2, { RECONNECT_GRACE_MS: '3000' });
  const { a, b, roomId } = await pairClients([one!.url, two!.url]);
  const reconnecting = waitFor(b, 'partner_reconnecting');
  a.io.engine.close();
  await reconnecting;
  b.emit('send_message', { roomId, message: 'sent while you were away' });
  // The phone came back on another network and Nginx sent it to the other node: same session id
  // and offset, as socket.io-client would send them on reconnect.
  const resumed = io(two!.url, { transports: ['websocket'], forceNew: true, reconnection: false, autoConnect: false });
  Object.assign(resumed, { _pid: (a as any)._pid, _lastOffset: (a as any)._lastOffset });
  const session = waitFor(resumed, 'session');
  const missed = waitFor(resumed, 'new_message', 5000, (m) => m.text === 'sent while you were away');
  const reconnected = waitFor(b, 'partner_reconnected');
  resumed.connect();
  expect(await session).toEqual({ userId: a.session.userId, recovered: true });
  await missed;
  await reconnected;
  const back = waitFor(b, 'new_message', 5000, (m) => m.sender === a.session.userId);
  resumed.emit('send_message', { roomId, message: 'back on node two' });
  expect((await back).text).toBe('back on node two');
  resumed.disconnect();
});

test('a waiting user who drops and recovers on another node keeps waiting and gets paired', async () => {
  const [one, two] = await startNodes(2, { RECONNECT_GRACE_MS: '3000' });
  const waiter = await connectClient(one!.url);
  const waiting = waitFor(waiter, 'waiting_for_partner');
  waiter.emit('join', { type: 'chat' });
  await waiting;
  waiter.io.engine.close();
  await eventually(async () => (await one!.server.services.queue.waitingCounts()).chat === 0, 5000, {
    what: 'the dropped waiter leaving the queue',
  });
  const resumed = io(two!.url, { transports: ['websocket'], forceNew: true, reconnection: false, autoConnect: false });
  Object.assign(resumed, { _pid: (waiter as any)._pid, _lastOffset: (waiter as any)._lastOffset });
  const session = waitFor(resumed, 'session');
  const waitingAgain = waitFor(resumed, 'waiting_for_partner');
  resumed.connect();
  expect(await session).toEqual({ userId: waiter.session.userId, recovered: true });
  await waitingAgain;
  const found = waitFor(resumed, 'partner_found');
  const newcomer = await connectClient(one!.url);
  expect((await joinAndWait(newcomer, { type: 'chat' })).partnerId).toBe(waiter.session.userId);
  expect((await found).partnerId).toBe(newcomer.session.userId);
  resumed.disconnect();
});

test("a node's graceful shutdown tells its users' partners on other nodes", async () => {
  const [one, two] = await startNodes(2);
  const { a, b } = await pairClients([one!.url, two!.url]);
  const shutdown = waitFor(a, 'server_shutdown');
  const partnerTold = waitFor(b, 'partner_disconnected');
  await one!.close();
  await shutdown;
  expect(await partnerTold).toEqual({ reason: 'shutdown' });
  const c = await connectClient(two!.url);
  const waiting = waitFor(b, 'waiting_for_partner');
  b.emit('join', { type: 'chat' });
  await waiting;
  expect((await joinAndWait(c, { type: 'chat' })).partnerId).toBe(b.session.userId);
});

test("a node's graceful shutdown takes its waiting users out of the shared queue", async () => {
  const [one, two] = await startNodes(2);
  const waiter = await connectClient(one!.url);
  const waiting = waitFor(waiter, 'waiting_for_partner');
  waiter.emit('join', { type: 'chat' });
  await waiting;
  await one!.close();
  expect(await two!.server.services.queue.isWaiting(waiter.session.userId)).toBe(false);
  expect((await two!.server.services.queue.waitingCounts()).chat).toBe(0);
  // A live user on the other node must not be paired with the ghost.
  const newcomer = await connectClient(two!.url);
  const queued = waitFor(newcomer, 'waiting_for_partner');
  const noGhost = expectNoEvent(newcomer, 'partner_found');
  newcomer.emit('join', { type: 'chat' });
  await Promise.all([queued, noGhost]);
});

describe('a node in a child process', () => {
  // startChildServer kills every child it started at the end of each test.
  let child: ChildServer | undefined;

  test("killed with SIGKILL: survivors tell the dead node's partners and drop its queue entries", async () => {
    const [survivor] = await startNodes(1);
    child = await startChildServer({ REDIS_URL: modes.redis.url, ...CLUSTER_ENV });
    const doomed = child.url;
    const { b } = await pairClients([doomed, survivor!.url]);
    const ghost = await connectClient(doomed);
    ghost.emit('join', { type: 'video' });
    await waitFor(ghost, 'waiting_for_partner');
    const told = waitFor(b, 'partner_disconnected', 10000);
    child.process.kill('SIGKILL');
    expect(await told).toEqual({ reason: 'disconnected' });
    await eventually(async () => (await survivor!.server.services.queue.waitingCounts()).video === 0, 5000);
    await eventually(async () => (await repairs(survivor!.url, 'dead_node')) === 1, 5000);
    const c = await connectClient(survivor!.url);
    const waiting = waitFor(b, 'waiting_for_partner');
    b.emit('join', { type: 'chat' });
    await waiting;
    expect((await joinAndWait(c, { type: 'chat' })).partnerId).toBe(b.session.userId);
  }, 60000);

  test('killed with SIGKILL: its partners are told within NODE_DEAD_AFTER_MS of its last heartbeat, not a beat later', async () => {
    // The survivor beats every 5 s and nothing else refreshes its heartbeat; the doomed node beats
    // every second. Killed just after its first beat that follows a survivor beat, it turns dead
    // 5.5 s later, while the survivor's next beat comes ~4 s after that: only a survivor that looks
    // at the deadline itself tells the partner in time.
    const deadAfterMs = 5500;
    const [survivor] = await startNodes(1, {
      NODE_HEARTBEAT_MS: '5000',
      NODE_DEAD_AFTER_MS: String(deadAfterMs),
      USER_COUNT_INTERVAL_MS: '600000',
    });
    // The doomed node must not take the survivor, whose beats are 5 s apart, for dead meanwhile.
    child = await startChildServer({
      REDIS_URL: modes.redis.url,
      ...CLUSTER_ENV,
      NODE_HEARTBEAT_MS: '1000',
      NODE_DEAD_AFTER_MS: '60000',
    });
    const { b } = await pairClients([child.url, survivor!.url]);
    const doomedNode = ((await getJson(`${child.url}/stats`)).body as { nodeId: string }).nodeId;
    const presence = survivor!.server.services.presence;
    const nextBeatOf = async (nodeId: string, after: number) => {
      let beat = after;
      await eventually(async () => (beat = (await presence.lastHeartbeat(nodeId)) ?? after) > after, 7000, {
        everyMs: 10,
        what: `a heartbeat of ${nodeId}`,
      });
      return beat;
    };
    const survivorBeat = await nextBeatOf(presence.nodeId, (await presence.lastHeartbeat(presence.nodeId)) ?? 0);
    await nextBeatOf(doomedNode, survivorBeat);
    child.process.kill('SIGKILL');
    const lastBeat = (await presence.lastHeartbeat(doomedNode))!;
    const told = waitFor(b, 'partner_disconnected', lastBeat + deadAfterMs + 1500 - Date.now());
    expect(await told).toEqual({ reason: 'disconnected' });
  }, 60000);

  test('a node taken for dead while frozen queues its waiting users again when it returns', async () => {
    const [survivor] = await startNodes(1);
    child = await startChildServer({ REDIS_URL: modes.redis.url, ...CLUSTER_ENV });
    const waiter = await connectClient(child.url);
    const waiting = waitFor(waiter, 'waiting_for_partner');
    waiter.emit('join', { type: 'chat' });
    await waiting;
    child.process.kill('SIGSTOP');
    await eventually(async () => (await survivor!.server.services.queue.waitingCounts()).chat === 0, 10000, {
      what: "the survivor dropping the frozen node's queue entries",
    });
    child.process.kill('SIGCONT');
    const found = waitFor(waiter, 'partner_found', 10000);
    const newcomer = await connectClient(survivor!.url);
    newcomer.emit('join', { type: 'chat' });
    expect((await found).partnerId).toBe(newcomer.session.userId);
  }, 60000);

  test('after a Redis outage, a node waits a full NODE_DEAD_AFTER_MS before reaping peers that are slower to return', async () => {
    const [first] = await startNodes(1);
    child = await startChildServer({ REDIS_URL: modes.redis.url, ...CLUSTER_ENV });
    const { a, b, roomId } = await pairClients([first!.url, child.url]);
    // Both nodes lose Redis for 1.5 × NODE_DEAD_AFTER_MS; the child's heartbeats come back a moment
    // after the first node's, so for that moment its last heartbeat looks dead.
    child.process.kill('SIGSTOP');
    const admin = new Redis(modes.redis.url);
    try {
      await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
      await admin.ping();
      // Resume the child only once the first node has beaten again after the outage: a heartbeat
      // stamped after the pause means the beat that first saw the child's stale heartbeat is over,
      // so a node that reaped without waiting would already have ended the room.
      const pauseEndedAt = Date.now();
      const firstNodeId = first!.server.services.presence.nodeId;
      await eventually(async () => Number(await admin.zscore('rc:presence:nodes', firstNodeId)) > pauseEndedAt, 5000, {
        what: "the first node's heartbeat after the outage",
      });
    } finally {
      admin.disconnect();
    }
    child.process.kill('SIGCONT');
    await expectNoEvent(a, 'partner_disconnected', 4000);
    const message = waitFor(b, 'new_message', 5000, (m) => m.text === 'still here');
    a.emit('send_message', { roomId, message: 'still here' });
    expect((await message).sender).toBe(a.session.userId);
  }, 60000);
});
