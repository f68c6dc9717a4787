import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import { takePoint } from '../../rate-limit';

type AdminConfig = NonNullable<Config['admin']>;

/** The one error shape of the moderator API (the same as the rest of the HTTP API). */
export function sendError(res: Response, status: number, code: string, message: string, details?: unknown): void {
  res.status(status).json({ error: { code, message, ...(details === undefined ? {} : { details }) } });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * The moderator's name for a bearer token, or undefined. Every token is compared, each in constant
 * time over equal-length digests, so the time taken says nothing about which one nearly matched.
 */
function moderatorFor(tokens: AdminConfig['tokens'], header: string | undefined): string | undefined {
  const presented = digest(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  let name: string | undefined;
  for (const token of tokens) if (timingSafeEqual(digest(token.token), presented)) name ??= token.name;
  return name;
}

/**
 * Its own per-IP budget (ADMIN_RATE_LIMIT_*), taken before the token is checked so that guessing
 * tokens is as slow as the budget; then the bearer token. The moderator's name goes to res.locals.
 */
export function adminAuth(admin: AdminConfig, logger: Logger): RequestHandler {
  const limiter = new RateLimiterMemory({ keyPrefix: 'admin', points: admin.rate.points, duration: admin.rate.durationSeconds });
  return (req, res, next) => {
    takePoint(limiter, req.ip ?? 'unknown')
      .then((retryAfterMs) => {
        if (retryAfterMs !== undefined) {
          res.set('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
          return sendError(res, 429, 'RATE_LIMITED', 'Too many requests', { retryAfterMs });
        }
        const moderator = moderatorFor(admin.tokens, req.get('authorization'));
        if (!moderator) {
          res.set('WWW-Authenticate', 'Bearer');
          return sendError(res, 401, 'UNAUTHORIZED', 'A valid moderator bearer token is required');
        }
        res.locals.moderator = moderator;
        next();
      })
      .catch((error: unknown) => {
        logger.error('admin rate limiter failed', { error });
        sendError(res, 503, 'UNAVAILABLE', 'Try again shortly');
      });
  };
}
