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

  router.get('/stats', async (_req: Request, res: Response) => {
    res.json(await stats.stats());
  });

  router.get('/ice-servers', (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store').json({ iceServers: stats.iceServers() });
  });

  return router;
}
