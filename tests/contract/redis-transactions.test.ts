import { Redis } from 'ioredis';
import { execChecked } from '../../src/domain/redis/keys';
import { startRedis, type RedisServer } from '../helpers/redis';

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

describe('execChecked', () => {
  test('returns every reply of a transaction that went through', async () => {
    expect(await execChecked(redis.multi().set('tx:a', '1').incr('tx:a'))).toEqual(['OK', 2]);
  });

  test('fails when one command of the transaction failed, which plain exec() only reports in its replies', async () => {
    await redis.set('tx:string', 'x');
    const tx = () => redis.multi().set('tx:b', '1').hset('tx:string', 'field', 'v');
    expect((await tx().exec())?.[1]?.[0]).toBeInstanceOf(Error);
    await expect(execChecked(tx())).rejects.toThrow(/WRONGTYPE/);
  });
});
