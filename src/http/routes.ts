import { Router, type Request, type Response } from 'express';
import type { Config } from '../config';
import { REPORT_REASONS, type ClientConfig } from '../contract/events';
import type { StatsSource } from './stats';

/** What a front end must ask of its user before joining (age, bot check, relay-only video). */
function clientConfig(config: Readonly<Config>): ClientConfig {
  const { ageGate, botCheck, iceRelayOnly } = config.safety;
  return {
    ageGate,
    botCheck: botCheck.provider,
    ...(botCheck.siteKey ? { botCheckSiteKey: botCheck.siteKey } : {}),
    iceRelayOnly,
    reportReasons: REPORT_REASONS,
  };
}

/** Read-only views over the services. */
export function createRoutes(config: Readonly<Config>, stats: StatsSource): Router {
  const router = Router();
  const publicClientConfig = clientConfig(config);

  router.get('/client-config', (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-cache').json(publicClientConfig);
  });

  // Liveness: about this process only (its event loop answers), never about Redis or draining, so a
  // probe that restarts on failure never restarts a healthy node during a Redis outage.
  router.get('/live', (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok', uptime: Math.round(process.uptime()) });
  });

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
    } catch {
      res
        .status(503)
        .json({ error: { code: 'UNAVAILABLE', message: 'statistics unavailable: the shared store cannot be read' } });
    }
  });

  router.get('/ice-servers', (_req: Request, res: Response) => {
    const relayOnly = config.safety.iceRelayOnly ? { iceTransportPolicy: 'relay' } : {};
    res.set('Cache-Control', 'no-store').json({ iceServers: stats.iceServers(), ...relayOnly });
  });

  return router;
}
