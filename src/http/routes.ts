import { Router, type Request, type Response } from 'express';
import type { StatsSource } from './stats';

/** Read-only views over the services. */
export function createRoutes(stats: StatsSource): Router {
  const router = Router();

  router.get('/health', async (_req: Request, res: Response) => {
    const health = await stats.health();
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });

  router.get('/ready', (_req: Request, res: Response) => {
    const readiness = stats.readiness();
    res.status(readiness.ready ? 200 : 503).json(readiness);
  });

  // The shared figures live in Redis in a cluster: while it is away /stats says so (the outage
  // itself is logged once by the connection watcher) instead of failing as a server error.
  router.get('/stats', async (_req: Request, res: Response) => {
    try {
      res.json(await stats.stats());
    } catch (error) {
      res.status(503).json({ error: { code: 'UNAVAILABLE', message: `statistics unavailable: ${String(error)}` } });
    }
  });

  router.get('/ice-servers', (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store').json({ iceServers: stats.iceServers() });
  });

  return router;
}
