import { connectClient, expectNoEvent, joinAndWait, pairClients, record, refusalOf, waitFor } from '../helpers/clients';
import { getJson, useTestServer } from '../helpers/server';

const srv = useTestServer();

describe('join and pairing', () => {
  test('the first user waits, the second pairs with them; partnerId is the anonymous id', async () => {
    const a = await connectClient(srv.url);
    const b = await connectClient(srv.url);
    expect(a.session.userId).not.toBe(a.id);
    const waiting = waitFor(a, 'waiting_for_partner');
    const foundA = waitFor(a, 'partner_found');
    a.emit('join', { userId: 'claimed-a', type: 'chat', preferences: {} });
    await waiting;
    const foundB = await joinAndWait(b, { userId: 'claimed-b', type: 'chat' });
    const fa = await foundA;
    expect(fa.roomId).toBe(foundB.roomId);
    expect(fa.partnerId).toBe(b.session.userId);
    expect(foundB.partnerId).toBe(a.session.userId);
    expect([fa.partnerId, foundB.partnerId]).not.toContain('claimed-a');
    expect(fa.initiator).toBeUndefined();
  });

  test('pairs in FIFO order', async () => {
    const first = await connectClient(srv.url);
    const second = await connectClient(srv.url);
    const third = await connectClient(srv.url);
    first.emit('join', { type: 'chat' });
    await waitFor(first, 'waiting_for_partner');
    const found = joinAndWait(second, { type: 'chat' });
    expect((await found).partnerId).toBe(first.session.userId);
    third.emit('join', { type: 'chat' });
    await waitFor(third, 'waiting_for_partner');
  });

  test('chat never pairs with video, and a user never pairs with itself', async () => {
    const chatUser = await connectClient(srv.url);
    const videoUser = await connectClient(srv.url);
    chatUser.emit('join', { type: 'chat' });
    await waitFor(chatUser, 'waiting_for_partner');
    videoUser.emit('join', { type: 'video' });
    await waitFor(videoUser, 'waiting_for_partner');
    const again = waitFor(chatUser, 'error');
    chatUser.emit('join', { type: 'chat' });
    expect((await again).code).toBe('ALREADY_QUEUED');
    await expectNoEvent(chatUser, 'partner_found');
    const { body: stats } = await getJson(`${srv.url}/stats`);
    expect(stats.waitingUsers).toMatchObject({ chat: 1, video: 1 });
  });

  test('a join with a missing or unknown type is refused and the socket stays usable', async () => {
    const a = await connectClient(srv.url);
    const missing = waitFor(a, 'error');
    a.emit('join', {} as never);
    expect(await missing).toMatchObject({ code: 'INVALID_PAYLOAD', event: 'join' });
    const unknown = waitFor(a, 'error');
    a.emit('join', { type: 'audio' } as never);
    expect(await unknown).toMatchObject({ code: 'INVALID_PAYLOAD', event: 'join' });
    const waiting = waitFor(a, 'waiting_for_partner');
    a.emit('join', { type: 'chat' });
    await waiting;
  });

  test('a user who disconnects while waiting is never matched', async () => {
    const ghost = await connectClient(srv.url);
    ghost.emit('join', { type: 'chat' });
    await waitFor(ghost, 'waiting_for_partner');
    ghost.disconnect();
    const b = await connectClient(srv.url);
    b.emit('join', { type: 'chat' });
    await waitFor(b, 'waiting_for_partner');
    const c = await connectClient(srv.url);
    expect((await joinAndWait(c, { type: 'chat' })).partnerId).toBe(b.session.userId);
  });

  test('join while paired skips to a new partner; the old partner is told', async () => {
    const { a, b } = await pairClients(srv.url);
    const left = waitFor(b, 'partner_disconnected');
    const waiting = waitFor(a, 'waiting_for_partner');
    a.emit('join', { type: 'chat' });
    expect((await left).reason).toBe('skipped');
    await waiting;
  });
});

describe('messages and typing', () => {
  test('send_message reaches both users with the server-assigned fields', async () => {
    const { a, b, roomId } = await pairClients(srv.url);
    const atB = waitFor(b, 'new_message');
    const atA = waitFor(a, 'new_message');
    a.emit('send_message', { roomId, message: '  Hello!  ' });
    const [mb, ma] = await Promise.all([atB, atA]);
    expect(mb).toEqual({
      id: expect.any(String),
      text: 'Hello!',
      sender: a.session.userId,
      timestamp: expect.any(Number),
      type: 'text',
    });
    // The sender's own copy is the same message marked as its own (no label given: its anonymous id).
    expect(ma).toEqual({ ...mb, self: true });
    expect(await srv.server.services.rooms.history(roomId)).toEqual([mb]);
  });

  test('room history keeps only the newest messages', async () => {
    await srv.restart({ MESSAGE_HISTORY_LIMIT: '3' });
    const { a, b, roomId } = await pairClients(srv.url);
    const received = record(b, 'new_message');
    for (let i = 1; i <= 5; i += 1) a.emit('send_message', { roomId, message: `m${i}` });
    await waitFor(b, 'new_message', 5000, (m) => m.text === 'm5');
    expect(received.map((m) => m.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect((await srv.server.services.rooms.history(roomId)).map((m) => m.text)).toEqual(['m3', 'm4', 'm5']);
    a.emit('leave_room', { roomId });
    await waitFor(b, 'partner_disconnected');
    expect(await srv.server.services.rooms.history(roomId)).toEqual([]);
  });

  test('typing reaches the partner only', async () => {
    const { a, b, roomId } = await pairClients(srv.url);
    const noEcho = expectNoEvent(a, 'user_typing');
    const typing = waitFor(b, 'user_typing');
    a.emit('typing', { roomId, isTyping: true });
    expect(await typing).toEqual({ isTyping: true });
    await noEcho;
  });

  test('two pairs at once never hear each other', async () => {
    const one = await pairClients(srv.url);
    const two = await pairClients(srv.url);
    expect(one.roomId).not.toBe(two.roomId);
    const leak = Promise.all([expectNoEvent(two.a, 'new_message'), expectNoEvent(two.b, 'new_message')]);
    const delivered = waitFor(one.b, 'new_message');
    one.a.emit('send_message', { roomId: one.roomId, message: 'only for one' });
    expect((await delivered).text).toBe('only for one');
    await leak;
  });

  test('a third socket cannot write to or leave a room whose id it knows', async () => {
    const { a, b, roomId } = await pairClients(srv.url);
    const intruder = await connectClient(srv.url);
    const quiet = Promise.all([
      expectNoEvent(a, 'new_message'),
      expectNoEvent(b, 'new_message'),
      expectNoEvent(b, 'user_typing'),
    ]);
    for (const [event, payload] of [
      ['send_message', { roomId, message: 'hi' }],
      ['typing', { roomId, isTyping: true }],
      ['leave_room', { roomId }],
    ] as const) {
      expect(await refusalOf(intruder, event, payload)).toMatchObject({ code: 'NOT_IN_ROOM', event });
    }
    await quiet;
    const stillTalking = waitFor(b, 'new_message');
    a.emit('send_message', { roomId, message: 'still here' });
    expect((await stillTalking).text).toBe('still here');
  });

  test("a socket cannot use its own or another socket's id room", async () => {
    const { a, b } = await pairClients(srv.url);
    const ownRoom = waitFor(a, 'error');
    a.emit('send_message', { roomId: a.id!, message: 'to myself' });
    expect((await ownRoom).code).toBe('NOT_IN_ROOM');
    const quiet = expectNoEvent(b, 'new_message');
    const otherRoom = waitFor(a, 'error');
    a.emit('send_message', { roomId: b.id!, message: 'to b directly' });
    expect((await otherRoom).code).toBe('NOT_IN_ROOM');
    await quiet;
  });
});

describe('leaving', () => {
  test('leave_room tells the partner, then both can re-join and re-pair', async () => {
    const { a, b, roomId } = await pairClients(srv.url);
    const told = waitFor(b, 'partner_disconnected');
    a.emit('leave_room', { roomId });
    expect((await told).reason).toBe('left');
    const afterLeave = waitFor(a, 'error');
    a.emit('send_message', { roomId, message: 'gone' });
    expect((await afterLeave).code).toBe('NOT_IN_ROOM');
    a.emit('join', { type: 'chat' });
    await waitFor(a, 'waiting_for_partner');
    const again = await joinAndWait(b, { type: 'chat' });
    expect(again.partnerId).toBe(a.session.userId);
    expect(again.roomId).not.toBe(roomId);
  });

  test('disconnect while paired tells the partner and closes the room', async () => {
    const { a, b } = await pairClients(srv.url);
    const told = waitFor(b, 'partner_disconnected');
    a.disconnect();
    expect((await told).reason).toBe('disconnected');
    expect(await srv.server.services.rooms.counts()).toEqual({ chat: 0, video: 0 });
  });
});

describe('user count', () => {
  test('user_count_update follows connections, coalesced', async () => {
    const watcher = await connectClient(srv.url);
    const counts = record(watcher, 'user_count_update');
    await Promise.all(Array.from({ length: 10 }, () => connectClient(srv.url)));
    await waitFor(watcher, 'user_count_update', 5000, ({ count }) => count === 11);
    expect(counts.length).toBeLessThan(10);
  });
});
