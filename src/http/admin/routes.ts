import path from 'node:path';
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import type { RealtimeContext } from '../../realtime/context';
import { createAdminSchemas } from '../../realtime/schemas';
import { banByModerator, closeRoom, dismissReport, kickUser, liftBan } from './actions';
import { adminAuth, sendError } from './auth';

const ADMIN_PAGE_DIR = path.resolve(__dirname, '../../../public/admin');
const MAX_BODY = '16kb';

class InvalidRequest extends Error {
  constructor(readonly issues: z.core.$ZodIssue[]) {
    super('The request does not match the schema');
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidRequest(result.error.issues);
  return result.data;
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof InvalidRequest) {
      const details = error.issues.map(({ path: where, message }) => ({ path: where.join('.'), message }));
      return sendError(res, 400, 'BAD_REQUEST', error.message, details);
    }
    const status = (error as { status?: number }).status;
    if (status !== undefined && status >= 400 && status < 500)
      return sendError(res, status, 'BAD_REQUEST', (error as Error).message);
    logger.error('admin request failed', { method: req.method, path: req.path, error });
    sendError(res, 503, 'UNAVAILABLE', 'The moderation store is unavailable, try again shortly');
  };
}

/**
 * The moderator API and page under /admin (mounted only when ADMIN_TOKENS is set). Every route
 * needs a moderator's bearer token; the page's static files do not (they hold no data).
 * `realtime` is read per request: the Socket.io side is built after the HTTP app.
 */
export function createAdminRouter(admin: NonNullable<Config['admin']>, logger: Logger, realtime: () => RealtimeContext): Router {
  const schemas = createAdminSchemas(admin.pageLimit);
  const router = Router();
  router.use(express.static(ADMIN_PAGE_DIR, { index: 'index.html', maxAge: 0 }));
  router.use(adminAuth(admin, logger), express.json({ limit: MAX_BODY }));
  const actor = (res: Response): string => res.locals.moderator as string;
  const id = (req: Request, name: string): string => parse(schemas.id, req.params[name]);

  router.get('/reports', async (req, res) => {
    const query = parse(schemas.reportQuery, req.query);
    const { items, nextCursor, total } = await realtime().services.moderation.listReports(query, Date.now());
    res.json({ reports: items, nextCursor: nextCursor ?? null, total });
  });

  router.post('/reports/:id/dismiss', async (req, res) => {
    const { note } = parse(schemas.dismiss, req.body);
    const report = await dismissReport(realtime(), id(req, 'id'), { actor: actor(res), reason: note });
    if (!report) return sendError(res, 404, 'NOT_FOUND', 'No such report (it may have expired)');
    res.json({ report });
  });

  router.get('/bans', async (_req, res) => {
    res.json({ bans: await realtime().services.moderation.listBans(Date.now()) });
  });

  router.post('/bans', async (req, res) => {
    const ban = await banByModerator(realtime(), parse(schemas.ban, req.body), actor(res));
    res.status(201).json({ ban });
  });

  router.delete('/bans/:id', async (req, res) => {
    const ban = await liftBan(realtime(), id(req, 'id'), { actor: actor(res) });
    if (!ban) return sendError(res, 404, 'NOT_FOUND', 'No such ban (it may have ended)');
    res.json({ ban });
  });

  router.post('/users/:userId/disconnect', async (req, res) => {
    const { reason } = parse(schemas.disconnect, req.body);
    const sockets = await kickUser(realtime(), id(req, 'userId'), { actor: actor(res), reason });
    if (sockets === 0) return sendError(res, 404, 'NOT_FOUND', 'No such user is connected');
    res.json({ disconnected: sockets });
  });

  router.post('/rooms/:roomId/close', async (req, res) => {
    if (!(await closeRoom(realtime(), id(req, 'roomId'), { actor: actor(res) })))
      return sendError(res, 404, 'NOT_FOUND', 'No such room');
    res.json({ closed: true });
  });

  router.get('/audit', async (req, res) => {
    const { limit, cursor } = parse(schemas.auditQuery, req.query);
    const { items, nextCursor } = await realtime().services.moderation.listAudit(limit, cursor);
    res.json({ entries: items, nextCursor: nextCursor ?? null });
  });

  router.use((req, res) => sendError(res, 404, 'NOT_FOUND', `No route for ${req.method} /admin${req.path}`));
  router.use(errorHandler(logger));
  return router;
}
