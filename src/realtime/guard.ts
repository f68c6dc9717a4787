import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { z } from 'zod';
import { ClientError, ERROR_CATALOGUE, type ErrorCode } from '../errors';
import { takePoint } from '../rate-limit';
import type { ClientSocket, RealtimeContext } from './context';

export type Handler<P> = (ctx: RealtimeContext, socket: ClientSocket, payload: P) => Promise<void>;

/** Events of one socket run one after another, so a socket's own events never race each other. */
const tails = new WeakMap<ClientSocket, Promise<void>>();

export function runInOrder(socket: ClientSocket, task: () => Promise<void>): Promise<void> {
  const run = (tails.get(socket) ?? Promise.resolve()).then(task);
  tails.set(
    socket,
    run.catch(() => undefined),
  );
  return run;
}

/**
 * Tells the client why an event was refused, counts the refusal, and disconnects a socket that
 * keeps getting refused: sustained abuse costs the abuser the connection.
 */
export async function refuse(ctx: RealtimeContext, socket: ClientSocket, error: ClientError, event?: string): Promise<void> {
  const { code } = error;
  ctx.totals.refusals[code] += 1;
  socket.emit('error', {
    code,
    message: error.message,
    ...(event === undefined ? {} : { event }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  });
  ctx.logger[ERROR_CATALOGUE[code].level]('event refused', { userId: socket.data.userId, event, code });
  if ((await takePoint(ctx.limiters.refusals, socket.id)) !== undefined && socket.connected) {
    ctx.logger.warn('disconnecting socket after repeated refusals', { userId: socket.data.userId, event });
    socket.disconnect(true);
    await ctx.safety.botCheck?.suspect(socket.data.ipHash);
  }
}

async function overBudget(
  ctx: RealtimeContext,
  socket: ClientSocket,
  limiter?: RateLimiterAbstract,
): Promise<number | undefined> {
  const wait = await takePoint(ctx.limiters.events, socket.id);
  if (wait !== undefined || !limiter) return wait;
  const perSocket = await takePoint(limiter, socket.id);
  if (perSocket !== undefined || limiter !== ctx.limiters.joins) return perSocket;
  // A fresh socket gets a fresh per-socket budget, not a fresh budget for its address.
  return takePoint(ctx.limiters.addressJoins, socket.data.ipHash);
}

function invalidPayload(error: z.ZodError): ClientError {
  const first = error.issues[0];
  const where = first && first.path.length ? `${first.path.join('.')}: ` : '';
  return new ClientError('INVALID_PAYLOAD', `${where}${first?.message ?? ERROR_CATALOGUE.INVALID_PAYLOAD.message}`);
}

function asClientError(ctx: RealtimeContext, socket: ClientSocket, event: string, error: unknown): ClientError {
  if (error instanceof ClientError) return error;
  // A failure while a dependency is known to be down is that outage, already logged where it began.
  // A Redis command that timed out is that outage too, even before the watchdog has flagged it.
  if (ctx.dependencyProblem() || (error instanceof Error && error.message === 'Command timed out'))
    return new ClientError('UNAVAILABLE');
  ctx.logger.error('event handler failed', { userId: socket.data.userId, event, error: String(error) });
  return new ClientError('INTERNAL_ERROR' satisfies ErrorCode);
}

export type GuardedHandler = (socket: ClientSocket, payload: unknown) => void;

/**
 * rate limit → validate → run → catch: the only way a client event reaches a handler. Built once
 * per event and server, and shared by every socket.
 */
export function guard<S extends z.ZodType>(
  ctx: RealtimeContext,
  event: string,
  schema: S,
  handler: Handler<z.output<S>>,
  limiter?: RateLimiterAbstract,
): GuardedHandler {
  return (socket, payload) => {
    void runInOrder(socket, async () => {
      try {
        const retryAfterMs = await overBudget(ctx, socket, limiter);
        if (retryAfterMs !== undefined) throw new ClientError('RATE_LIMITED', undefined, retryAfterMs);
        const parsed = schema.safeParse(payload);
        if (!parsed.success) throw invalidPayload(parsed.error);
        await handler(ctx, socket, parsed.data);
      } catch (error) {
        await refuse(ctx, socket, asClientError(ctx, socket, event, error), event).catch((failure: unknown) =>
          ctx.logger.error('could not refuse event', { event, error: String(failure) }),
        );
      }
    });
  };
}
