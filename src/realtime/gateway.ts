import { v4 as uuidv4 } from 'uuid';
import { ClientError } from '../errors';
import type { ClientSocket, RealtimeContext } from './context';
import { guard, refuse, runInOrder, type GuardedHandler, type Handler } from './guard';
import * as chat from './handlers/chat';
import * as matchmaking from './handlers/matchmaking';
import * as signaling from './handlers/signaling';
import { ReconnectGrace } from './reconnect-grace';
import { createSchemas, type ClientEventName, type PayloadOf } from './schemas';

type HandlerTable = {
  [E in ClientEventName]: { run: Handler<PayloadOf<E>>; budget?: 'joins' | 'messages' };
};

/** Every event a client may send, and what handles it. Anything else is UNKNOWN_EVENT. */
const HANDLERS: HandlerTable = {
  join: { run: matchmaking.join, budget: 'joins' },
  next: { run: matchmaking.next, budget: 'joins' },
  leave_queue: { run: matchmaking.leaveQueue },
  leave_room: { run: matchmaking.leaveRoom },
  report: { run: matchmaking.report },
  block: { run: matchmaking.block },
  send_message: { run: chat.sendMessage, budget: 'messages' },
  typing: { run: chat.typing },
  offer: { run: signaling.offer },
  answer: { run: signaling.answer },
  ice_candidate: { run: signaling.iceCandidate },
};

export interface Gateway {
  /** Sends the current user count to everyone when it changed since the last broadcast. */
  broadcastUserCount(): Promise<void>;
  stop(): void;
}

export function attachGateway(ctx: RealtimeContext): Gateway {
  const { io, config, logger } = ctx;
  const schemas = createSchemas(config.limits);
  const grace = new ReconnectGrace(ctx);
  let lastCount = 0;

  // After the admission's own middleware, which tags the socket with its IP hash.
  const { botCheck } = ctx.safety;
  if (botCheck) io.use((socket, next) => void botCheck.admit(socket, next));

  const dispatch = new Map<string, GuardedHandler>(
    (Object.keys(HANDLERS) as ClientEventName[]).map((event) => {
      const { run, budget } = HANDLERS[event] as { run: Handler<unknown>; budget?: 'joins' | 'messages' };
      return [event, guard(ctx, event, schemas[event], run, budget && ctx.limiters[budget])];
    }),
  );

  /** One listener shared by every socket (Socket.io calls it with the socket as `this`). */
  function onClientEvent(this: ClientSocket, event: string, payload: unknown): void {
    const handle = dispatch.get(event);
    if (handle) handle(this, payload);
    else void runInOrder(this, () => refuse(ctx, this, new ClientError('UNKNOWN_EVENT'), String(event).slice(0, 64)));
  }

  async function onDisconnect(socket: ClientSocket, reason: string): Promise<void> {
    const { userId } = socket.data;
    // During shutdown the node's rooms and queue entries are cleared in bulk.
    if (!ctx.accepting()) return;
    ctx.pairing.stopWaiting(userId);
    await ctx.services.queue.remove(userId);
    const room = await ctx.services.rooms.roomOf(userId);
    if (!room) return;
    if (grace.applies(reason)) grace.hold(socket, room);
    else await ctx.pairing.endRoom(room, userId, 'disconnected');
  }

  io.on('connection', (socket: ClientSocket) => {
    if (!socket.recovered) socket.data.userId = uuidv4();
    logger.debug('socket connected', { userId: socket.data.userId, recovered: socket.recovered });
    const { botPass } = socket.data;
    socket.emit('session', { userId: socket.data.userId, recovered: socket.recovered, ...(botPass ? { botPass } : {}) });
    socket.emit('user_count_update', { count: lastCount });
    socket.onAny(onClientEvent);
    if (socket.recovered) {
      void runInOrder(socket, () => grace.recovered(socket)).catch((error: unknown) =>
        logger.error('resuming recovered session failed', { userId: socket.data.userId, error }),
      );
    }
    // Runs before Socket.io saves the session for recovery, so the flag travels with it.
    socket.on('disconnecting', () => {
      socket.data.waitingWhenDropped = ctx.pairing.localWaiters().has(socket.data.userId);
      // The node this user may return to reads the history from the store.
      for (const roomId of socket.rooms) {
        if (roomId === socket.id) continue;
        ctx.history.share(roomId).catch((error: unknown) => {
          if (!ctx.dependencyProblem()) logger.error('sharing room history failed', { roomId, error });
        });
      }
    });
    socket.on('disconnect', (reason) => {
      logger.debug('socket disconnected', { userId: socket.data.userId, reason });
      void runInOrder(socket, () => onDisconnect(socket, reason)).catch((error: unknown) => {
        // During a Redis outage every disconnect fails the same way; the outage is logged once.
        if (!ctx.dependencyProblem()) logger.error('disconnect cleanup failed', { userId: socket.data.userId, error });
      });
    });
  });

  return {
    async broadcastUserCount() {
      await ctx.services.presence.report(io.of('/').sockets.size, ctx.totals);
      const count = await ctx.services.presence.connectedCount();
      if (count === lastCount) return;
      lastCount = count;
      io.local.emit('user_count_update', { count });
    },
    stop() {
      grace.stop();
    },
  };
}
