import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { Server } from 'socket.io';
import { Adapter } from 'socket.io-adapter';
import { v4 as uuidv4 } from 'uuid';
import type { Config } from './config';
import { emptyTotals } from './domain/counters';
import { createClusterResources } from './cluster';
import { createServices } from './domain/create-services';
import type { Services } from './domain/services';
import { createAdminRouter } from './http/admin/routes';
import { createApp, helmetHeaders } from './http/app';
import { botCheckRoute } from './http/bot-check-route';
import { createMetrics, metricsRoute, registerRecoveryMetrics } from './http/metrics';
import { createStatsSource, type StatsSource } from './http/stats';
import { createIpHasher } from './ip-hash';
import { createLogger, type Logger } from './logger';
import { createLimiters } from './rate-limit';
import { ConnectionLimits } from './realtime/connection-limits';
import type { PairingContext, RealtimeContext, RealtimeServer } from './realtime/context';
import { attachGateway } from './realtime/gateway';
import { startNodeLiveness } from './realtime/node-liveness';
import { Pairing } from './realtime/pairing';
import { ReportWebhook } from './realtime/report-webhook';
import type { RecoveryStats } from './realtime/recovery/grace-sessions';
import { historyReplay } from './realtime/recovery/history-replay';
import { RoomHistory } from './realtime/room-history';
import { withRecovery } from './realtime/recovery/recovering-adapter';
import { MemorySessionStore } from './realtime/recovery/session-store';
import { createSafety } from './safety/create-safety';

export interface AppServer {
  httpServer: HttpServer;
  io: RealtimeServer;
  services: Services;
  /** Each room's chat history, wherever it is kept (the store, or this node for node-local rooms). */
  history: RoomHistory;
  stats: StatsSource;
  logger: Logger;
  /** Listens on config.host:config.port and resolves the bound port. */
  listen(): Promise<number>;
  /** Graceful, ordered, idempotent shutdown (see DESIGN.md §4.11). */
  close(): Promise<void>;
}

/** Builds the whole server without listening or touching process signals, so tests can run many. */
export function createServer(config: Readonly<Config>): AppServer {
  const logger = createLogger(config);
  const nodeId = uuidv4();
  const cluster = config.redis.url ? createClusterResources(config, nodeId, logger) : undefined;
  const services = cluster?.services ?? createServices(config, nodeId);
  const totals = emptyTotals();
  const limiters = createLimiters(config.limits, cluster?.sharedLimiter);
  const hashIp = createIpHasher(config.moderation.ipHashSalt);
  const admission = new ConnectionLimits(config, limiters, logger, hashIp);
  const recoveryStats: RecoveryStats = { heldSessions: 0, missedBytes: 0, droppedPackets: 0 };
  let accepting = true;
  let listening = false;

  const localConnected = () => io.of('/').sockets.size;
  const metrics = createMetrics({
    services,
    localConnected,
    totals,
    dependencyProblem: () => cluster?.problem(),
    handshakeRefusals: admission.refused,
  });
  registerRecoveryMetrics(metrics.registry, recoveryStats);
  const stats = createStatsSource({
    config,
    services,
    localConnected,
    localTotals: totals,
    unavailableReason: () => {
      if (!accepting) return { status: 'draining', reason: 'shutting down' };
      const problem = cluster?.problem();
      return problem ? { status: 'degraded', reason: problem } : undefined;
    },
    listening: () => listening,
  });
  const safety = createSafety({
    config,
    registry: metrics.registry,
    logger,
    marks: services.marks,
    sharedLimiter: cluster?.sharedLimiter,
  });
  const admin = config.admin && createAdminRouter(config.admin, logger, () => ctx);
  const app = createApp({
    config,
    logger,
    limiters,
    stats,
    hashIp,
    extraRoutes: Router().use(
      metricsRoute(metrics, config.metricsToken),
      botCheckRoute(safety.botCheck, config.safety.botCheck.provider),
    ),
    admin,
  });

  // Socket.io takes over the request listeners present when it attaches and forwards only
  // non-Socket.io paths to them, so Express must be the server's listener before io attaches.
  const httpServer = createHttpServer(app);
  // Recovery sessions live in Redis on a cluster (any node may take one), in memory on a lone node.
  const history = new RoomHistory(services.rooms, config.messageHistoryLimit, cluster !== undefined);
  const baseAdapter = cluster?.adapter ?? (config.reconnectGraceMs > 0 ? (nsp) => new Adapter(nsp) : undefined);
  const adapter =
    baseAdapter &&
    withRecovery(baseAdapter, {
      store: cluster?.sessionStore ?? new MemorySessionStore(),
      stats: recoveryStats,
      logger,
      graceMs: config.reconnectGraceMs,
      maxMissedBytes: config.reconnectMissedMaxBytes,
      replay: historyReplay(services, history),
    });
  const io: RealtimeServer = new Server(httpServer, {
    cors: { origin: config.corsOrigins === '*' ? '*' : config.corsOrigins },
    // Every handshake, polling or websocket, is admitted here; websocket upgrades bypass CORS, so
    // the Origin header is checked here too.
    allowRequest: admission.allowRequest,
    // A backstop only: ConnectionLimits closes sessions without CONNECT at CONNECT_TIMEOUT_MS itself.
    connectTimeout: 2 * config.limits.connectTimeoutMs,
    maxHttpBufferSize: config.limits.maxHttpBufferSize,
    perMessageDeflate: false,
    ...(adapter ? { adapter } : {}),
    pingInterval: config.pingIntervalMs,
    pingTimeout: config.pingTimeoutMs,
    ...(config.reconnectGraceMs > 0
      ? { connectionStateRecovery: { maxDisconnectionDuration: config.reconnectGraceMs, skipMiddlewares: false } }
      : {}),
  });

  admission.attach(io);
  history.attach(io);
  const securityHeaders = helmetHeaders();
  io.engine.on('headers', (headers: Record<string, string>) => Object.assign(headers, securityHeaders));

  const pairingContext: PairingContext = {
    io,
    config,
    logger,
    services,
    limiters,
    totals,
    history,
    accepting: () => accepting,
    observeMatchWait: (seconds) => metrics.matchWaitSeconds.observe(seconds),
    countClusterRepairs: (kind, count) => metrics.clusterRepairs.inc({ kind }, count),
    countUncountedReport: (why) => metrics.uncountedReports.inc({ why }),
    reportWebhook:
      config.moderation.reportWebhook &&
      new ReportWebhook(config.moderation.reportWebhook, logger, (outcome) => metrics.reportWebhook.inc({ outcome })),
    dependencyProblem: () => cluster?.problem(),
    safety,
  };
  const ctx: RealtimeContext = { ...pairingContext, pairing: new Pairing(pairingContext) };
  const gateway = attachGateway(ctx);

  const countTimer = setInterval(() => {
    gateway.broadcastUserCount().catch((error: unknown) => logger.warn('user count broadcast failed', { error }));
  }, config.userCountIntervalMs);
  countTimer.unref();
  const stopLiveness = cluster ? startNodeLiveness(ctx, localConnected) : () => {};

  let closing: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    accepting = false;
    clearInterval(countTimer);
    stopLiveness();
    gateway.stop();
    admission.stop();
    ctx.pairing.stop();
    ctx.reportWebhook?.stop();
    io.local.emit('server_shutdown', { reconnectAfterMs: 1000 });
    await settleInOrder([
      [
        'end rooms',
        async () => {
          const rooms = await services.rooms.roomsOfNode(nodeId);
          await Promise.all(rooms.map((room) => ctx.pairing.endRoom(room, undefined, 'shutdown')));
        },
      ],
      ['remove queue entries', () => services.queue.removeNode(nodeId)],
      ['close socket.io', () => io.close()],
      ['forget node', () => services.presence.forgetNode(nodeId)],
      ['close services', () => services.close()],
      ['close cluster', () => cluster?.close()],
      ['close http connections', () => httpServer.closeAllConnections?.()],
    ]);
    logger.info('server closed', { nodeId });
  }

  /** Every step runs even when an earlier one fails (as socket.io's own close does); failures are reported together. */
  async function settleInOrder(steps: [string, () => unknown][]): Promise<void> {
    const failures: unknown[] = [];
    for (const [step, run] of steps) {
      try {
        await run();
      } catch (error) {
        failures.push(error);
        if (!cluster?.problem()) logger.error('shutdown step failed', { step, nodeId, error });
      }
    }
    if (failures.length) throw new AggregateError(failures, `${failures.length} shutdown step(s) failed`);
  }

  return {
    httpServer,
    io,
    services,
    history,
    stats,
    logger,
    listen: () =>
      new Promise<number>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          listening = true;
          resolve((httpServer.address() as AddressInfo).port);
        });
      }),
    close: () => (closing ??= shutdown()),
  };
}
