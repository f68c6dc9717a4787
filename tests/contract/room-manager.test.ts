import type { ChatMessage, Participant } from '../../src/domain/types';
import { contractBackends } from './backends';

const { backends } = contractBackends();

const T0 = 1_700_000_000_000;

function participant(userId: string, nodeId = 'node-1'): Participant {
  return { userId, socketId: `sock-${userId}`, nodeId, ipHash: `ip-${userId}` };
}

function message(i: number, sender = 'a'): ChatMessage {
  return { id: `m${i}`, text: `hello ${i}`, sender, timestamp: T0 + i, type: 'text' };
}

describe.each(backends)('RoomManager contract (%s)', (_name, backend) => {
  test('create, get and roomOf', async () => {
    const rooms = backend.rooms(10);
    const room = await rooms.create('video', participant('a'), participant('b'), T0);
    expect(room).toEqual({ id: expect.any(String), type: 'video', users: [participant('a'), participant('b')], createdAt: T0 });
    expect(await rooms.get(room.id)).toEqual(room);
    expect(await rooms.roomOf('a')).toEqual(room);
    expect(await rooms.roomOf('b')).toEqual(room);
    expect(await rooms.roomOf('c')).toBeUndefined();
    expect(await rooms.get('no-such-room')).toBeUndefined();
    const other = await rooms.create('chat', participant('c'), participant('d'), T0);
    expect(other.id).not.toBe(room.id);
  });

  test('close is idempotent and forgets the room', async () => {
    const rooms = backend.rooms(10);
    const room = await rooms.create('chat', participant('a'), participant('b'), T0);
    expect(await rooms.close(room.id)).toEqual(room);
    expect(await rooms.close(room.id)).toBeUndefined();
    expect(await rooms.close('no-such-room')).toBeUndefined();
    expect(await rooms.get(room.id)).toBeUndefined();
    expect(await rooms.roomOf('a')).toBeUndefined();
    expect(await rooms.roomOf('b')).toBeUndefined();
  });

  test('concurrent closes: exactly one caller gets the room', async () => {
    const rooms = backend.rooms(10);
    const room = await rooms.create('chat', participant('a'), participant('b'), T0);
    const results = await Promise.all(Array.from({ length: 10 }, () => rooms.close(room.id)));
    expect(results.filter((result) => result !== undefined)).toEqual([room]);
    expect(await rooms.counts()).toEqual({ chat: 0, video: 0 });
  });

  test('closing an old room keeps the user in their newer room', async () => {
    const rooms = backend.rooms(10);
    const first = await rooms.create('chat', participant('a'), participant('b'), T0);
    const second = await rooms.create('chat', participant('a'), participant('c'), T0 + 1);
    await rooms.close(first.id);
    expect(await rooms.roomOf('a')).toEqual(second);
    expect(await rooms.roomOf('b')).toBeUndefined();
  });

  test('history keeps the newest messages up to the limit and goes with the room', async () => {
    const rooms = backend.rooms(3);
    const room = await rooms.create('chat', participant('a'), participant('b'), T0);
    expect(await rooms.history(room.id)).toEqual([]);
    for (let i = 1; i <= 5; i += 1) await rooms.appendMessage(room.id, message(i));
    expect(await rooms.history(room.id)).toEqual([message(3), message(4), message(5)]);
    await rooms.close(room.id);
    expect(await rooms.history(room.id)).toEqual([]);
    await rooms.appendMessage(room.id, message(6));
    expect(await rooms.history(room.id)).toEqual([]);
  });

  test('a history limit of 0 keeps nothing', async () => {
    const rooms = backend.rooms(0);
    const room = await rooms.create('chat', participant('a'), participant('b'), T0);
    await rooms.appendMessage(room.id, message(1));
    expect(await rooms.history(room.id)).toEqual([]);
  });

  test('counts per type', async () => {
    const rooms = backend.rooms(10);
    expect(await rooms.counts()).toEqual({ chat: 0, video: 0 });
    const r1 = await rooms.create('chat', participant('a'), participant('b'), T0);
    await rooms.create('chat', participant('c'), participant('d'), T0);
    await rooms.create('video', participant('e'), participant('f'), T0);
    expect(await rooms.counts()).toEqual({ chat: 2, video: 1 });
    await rooms.close(r1.id);
    await rooms.close(r1.id);
    expect(await rooms.counts()).toEqual({ chat: 1, video: 1 });
  });

  test('roomsOfNode lists the rooms with a participant on that node', async () => {
    const rooms = backend.rooms(10);
    const mixed = await rooms.create('chat', participant('a', 'n1'), participant('b', 'n2'), T0);
    const onlyN1 = await rooms.create('video', participant('c', 'n1'), participant('d', 'n1'), T0);
    const onlyN2 = await rooms.create('chat', participant('e', 'n2'), participant('f', 'n2'), T0);
    const byId = (list: { id: string }[]) => list.map((room) => room.id).sort();
    expect(byId(await rooms.roomsOfNode('n1'))).toEqual([mixed.id, onlyN1.id].sort());
    expect(byId(await rooms.roomsOfNode('n2'))).toEqual([mixed.id, onlyN2.id].sort());
    expect(await rooms.roomsOfNode('n3')).toEqual([]);
    await rooms.close(mixed.id);
    expect(await rooms.roomsOfNode('n1')).toEqual([onlyN1]);
  });
});
