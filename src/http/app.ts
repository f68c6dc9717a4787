import path from 'node:path';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config';
import type { IpHasher } from '../ip-hash';
import type { Logger } from '../logger';
import { takePoint, type Limiters } from '../rate-limit';
import { hasMetricsToken } from './metrics';
import { createRoutes } from './routes';
import type { StatsSource } from './stats';

const PUBLIC_DIR = path.resolve(__dirname, '../../public');

/**
 * The demo's file names carry no version, so a deploy reaches users at once only if browsers
 * revalidate before every use: `no-cache` with the ETag express.static sends (a 304 costs one round trip).
 */
const DEMO_STATIC_OPTIONS = {
  index: 'index.html',
  cacheControl: false,
  setHeaders: (res: express.Response) => res.setHeader('Cache-Control', 'no-cache'),
};

const HELMET_OPTIONS: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null, 'media-src': ["'self'", 'blob:'] } },
};

/**
 * The headers helmet sets, collected once, for responses Express never sees (Socket.io's
 * `/socket.io/` handshakes and polls, answered by Engine.IO itself).
 */
export function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => (headers[name] = String(value)),
    removeHeader: (name: string) => delete headers[name],
  };
  helmet(HELMET_OPTIONS)({} as never, response as never, () => {});
  return headers;
}

/** Paths monitors poll; they are never rate limited. */
const MONITORING_PATHS = new Set(['/live', '/health', '/ready']);

/** Monitors, and a scraper that shows METRICS_TOKEN (an open /metrics stays limited). */
function exemptFromRateLimit(req: Request, metricsToken: string | undefined): boolean {
  if (MONITORING_PATHS.has(req.path)) return true;
  return req.path === '/metrics' && metricsToken !== undefined && hasMetricsToken(req, metricsToken);
}

function httpRateLimit(limiters: Limiters, logger: Logger, hashIp: IpHasher, metricsToken: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (exemptFromRateLimit(req, metricsToken)) return next();
    takePoint(limiters.http, hashIp(req.ip ?? 'unknown'))
      .then((retryAfterMs) => {
        if (retryAfterMs === undefined) return next();
        res.set('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
        res.status(429).json({ error: { code: 'RATE_LIMITED', message: 'Too many requests', retryAfterMs } });
      })
      .catch((error: unknown) => {
        logger.error('http rate limiter failed', { error: String(error) });
        next();
      });
  };
}

function errorHandler(config: Readonly<Config>, logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = (error as { status?: number }).status ?? 500;
    if (status >= 500) logger.error('http request failed', { method: req.method, path: req.path, error: String(error) });
    const production = config.nodeEnv === 'production';
    res.status(status).json({
      error: {
        code: status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST',
        message: status >= 500 && production ? 'Internal server error' : String((error as Error).message ?? error),
        ...(production || !(error instanceof Error) ? {} : { stack: error.stack }),
      },
    });
  };
}

export interface AppDeps {
  config: Readonly<Config>;
  logger: Logger;
  limiters: Limiters;
  stats: StatsSource;
  /** Rate-limit keys are salted IP hashes, so no store (Redis included) holds a raw IP. */
  hashIp: IpHasher;
  /** Extra routes mounted before the 404 handler (metrics, readiness). */
  extraRoutes?: express.Router;
  /** The moderator API and page; without it every /admin path is 404 (the demo's files included). */
  admin?: express.Router;
}

function notFound(req: express.Request, res: express.Response): void {
  res.status(404).json({ error: { code: 'NOT_FOUND', message: `No route for ${req.method} ${req.path}` } });
}

export function createApp({ config, logger, limiters, stats, hashIp, extraRoutes, admin }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(helmet(HELMET_OPTIONS));
  // Before CORS: the moderator API never answers cross-origin, whatever CORS_ORIGIN says; it has its own rate limit.
  app.use('/admin', admin ?? notFound);
  app.use(cors({ origin: config.corsOrigins === '*' ? '*' : config.corsOrigins }));
  app.use(httpRateLimit(limiters, logger, hashIp, config.metricsToken));
  app.use(createRoutes(config, stats));
  if (extraRoutes) app.use(extraRoutes);
  if (config.serveDemo) app.use(express.static(PUBLIC_DIR, DEMO_STATIC_OPTIONS));
  app.use(notFound);
  app.use(errorHandler(config, logger));
  return app;
}
