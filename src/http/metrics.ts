import { Router } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CLUSTER_REPAIRS, type Totals } from '../domain/counters';
import type { Services } from '../domain/services';
import { SESSION_TYPES, type CountsByType } from '../domain/types';
import { ERROR_CODES } from '../errors';
import type { RecoveryStats } from '../realtime/recovery/grace-sessions';

export interface Metrics {
  registry: Registry;
  matchWaitSeconds: Histogram;
  clusterRepairs: Counter<'kind'>;
}

/** A counter whose value is read from `totals` at scrape time, so the hot path only does `+= 1`. */
function totalCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** A gauge labelled by session type, read from the store at scrape time. */
function perTypeGauge(registry: Registry, name: string, help: string, read: () => Promise<CountsByType>): void {
  new Gauge({
    name,
    help,
    labelNames: ['type'],
    registers: [registry],
    async collect() {
      const counts = await read();
      for (const type of SESSION_TYPES) this.set({ type }, counts[type]);
    },
  });
}

/** One registry per server instance: tests run many servers in one process. */
export function createMetrics(services: Services, localConnected: () => number, totals: Totals): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'chat_connected_sockets',
    help: 'Sockets connected to this node',
    registers: [registry],
    collect() {
      this.set(localConnected());
    },
  });
  perTypeGauge(registry, 'chat_waiting_users', 'Users waiting for a partner, per queue', () => services.queue.waitingCounts());
  perTypeGauge(registry, 'chat_active_rooms', 'Open rooms, per type', () => services.rooms.counts());
  totalCounter(registry, 'chat_matches_total', 'Pairs matched by this node', () => totals.matches);
  totalCounter(registry, 'chat_messages_relayed_total', 'Chat messages relayed by this node', () => totals.messagesRelayed);
  totalCounter(
    registry,
    'chat_signals_relayed_total',
    'WebRTC signalling messages relayed by this node',
    () => totals.signalsRelayed,
  );
  totalCounter(registry, 'chat_reports_total', 'Reports received by this node', () => totals.reports);
  totalCounter(registry, 'chat_bans_total', 'Bans issued by this node', () => totals.bans);
  new Counter({
    name: 'chat_refusals_total',
    help: 'Client events refused, per error code',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const code of ERROR_CODES) this.inc({ code }, totals.refusals[code]);
    },
  });
  const matchWaitSeconds = new Histogram({
    name: 'chat_match_wait_seconds',
    help: 'Time from join to partner_found',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const clusterRepairs = new Counter({
    name: 'chat_cluster_repairs_total',
    help: 'Cluster clean-ups done by this node: dead nodes reaped, lost waiting users re-queued, lost rooms ended',
    labelNames: ['kind'],
    registers: [registry],
  });
  for (const kind of CLUSTER_REPAIRS) clusterRepairs.inc({ kind }, 0);
  return { registry, matchWaitSeconds, clusterRepairs };
}

/** GET /metrics (Prometheus text format), behind a bearer token when METRICS_TOKEN is set. */
export function metricsRoute(metrics: Metrics, token: string | undefined): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (token && req.get('authorization') !== `Bearer ${token}`) {
      res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'A valid bearer token is required' } });
      return;
    }
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}

/** What the reconnect grace holds for dropped users on this node, and what it refused to hold. */
export function registerRecoveryMetrics(registry: Registry, stats: Readonly<RecoveryStats>): void {
  new Gauge({
    name: 'chat_reconnect_sessions',
    help: 'Dropped users inside their reconnect grace whose session this node holds',
    registers: [registry],
    collect() {
      this.set(stats.heldSessions);
    },
  });
  new Gauge({
    name: 'chat_reconnect_missed_bytes',
    help: 'Bytes of packets kept on this node for dropped users, until they return or their grace ends',
    registers: [registry],
    collect() {
      this.set(stats.missedBytes);
    },
  });
  totalCounter(
    registry,
    'chat_reconnect_missed_dropped_total',
    'Packets not kept for a dropped user because their RECONNECT_MISSED_MAX_BYTES was reached',
    () => stats.droppedPackets,
  );
}
