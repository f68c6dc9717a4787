/**
 * A private redis-server per test file. The implementation is plain JS (loopback.js), so the
 * benchmark (bench/, plain Node) starts its Redis the same way.
 */
export { freePort, startRedis } from './loopback';
export type { RedisServer, StartRedisOptions } from './loopback';
