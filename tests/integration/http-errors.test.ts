import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { loadConfig } from '../../src/config';
import { createApp } from '../../src/http/app';
import type { StatsSource } from '../../src/http/stats';
import { createIpHasher } from '../../src/ip-hash';
import { createLogger } from '../../src/logger';
import { createLimiters } from '../../src/rate-limit';

/** The real Express app with one extra route that fails, as any handler bug would. */
async function appWithFailingRoute(nodeEnv: 'production' | 'development'): Promise<{ url: string; server: Server }> {
  const config = loadConfig({ NODE_ENV: nodeEnv, LOG_LEVEL: 'error' });
  const failing = Router().get('/boom', () => {
    throw new Error('secret internals');
  });
  const app = createApp({
    config,
    logger: createLogger({ ...config, nodeEnv: 'test', logLevelExplicit: false }),
    limiters: createLimiters(config.limits),
    stats: {} as StatsSource,
    hashIp: createIpHasher(undefined),
    extraRoutes: failing,
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test.each([
  ['production', false],
  ['development', true],
] as const)('a failing route answers JSON 500 (%s: stack trace %s)', async (nodeEnv, showsStack) => {
  const { url, server } = await appWithFailingRoute(nodeEnv);
  try {
    const response = await fetch(`${url}/boom`);
    expect(response.status).toBe(500);
    const body: any = await response.json();
    expect(body.error.code).toBe('INTERNAL_ERROR');
    expect(JSON.stringify(body).includes('secret internals')).toBe(showsStack);
    expect(typeof body.error.stack === 'string').toBe(showsStack);
  } finally {
    server.close();
  }
});
