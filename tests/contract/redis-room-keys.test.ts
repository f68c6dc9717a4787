import { RedisRoomManager } from '../../src/domain/redis/redis-room-manager';
import type { Participant } from '../../src/domain/types';
import { contractBackends } from './backends';

const { redis } = contractBackends();

function participant(userId: string, nodeId: string): Participant {
  return { userId, socketId: `sock-${userId}`, nodeId, ipHash: `ip-${userId}` };
}

/** Beyond the interface: nothing of a closed room (its users, its messages) stays behind in Redis. */
test('closing a room leaves only the per-type counters in Redis', async () => {
  const prefix = redis.freshPrefix();
  const client = redis.client();
  const rooms = new RedisRoomManager(client, 10, prefix);
  const room = await rooms.create('chat', participant('a', 'node-1'), participant('b', 'node-2'), 1);
  await rooms.appendMessage(room.id, { id: 'm1', text: 'private words', sender: 'a', timestamp: 2, type: 'text' });
  await rooms.close(room.id);
  expect((await client.keys(`${prefix}*`)).sort()).toEqual([`${prefix}rooms:counts`]);
  expect(await client.hgetall(`${prefix}rooms:counts`)).toEqual({ chat: '0' });
});
