import { timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CLUSTER_REPAIRS, TOTAL_COUNTERS, TOTAL_NAMES, type Totals } from '../domain/counters';
import type { Services } from '../domain/services';
import { SESSION_TYPES, type CountsByType } from '../domain/types';
import { ERROR_CODES } from '../errors';
import { HANDSHAKE_REFUSALS, type HandshakeRefusalCounts } from '../realtime/connection-limits';
import { WEBHOOK_OUTCOMES } from '../realtime/report-webhook';
import { UNCOUNTED_REPORTS } from '../realtime/reports';
import type { RecoveryStats } from '../realtime/recovery/grace-sessions';

export interface Metrics {
  registry: Registry;
  /** Reads the cluster-wide figures once, then renders; never rejects because Redis is away. */
  render(): Promise<string>;
  matchWaitSeconds: Histogram;
  clusterRepairs: Counter<'kind'>;
  uncountedReports: Counter<'why'>;
  reportWebhook: Counter<'outcome'>;
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

interface ClusterFigures {
  waiting: CountsByType;
  rooms: CountsByType;
}

/**
 * A gauge of one cluster-wide figure, labelled scope="cluster" (every node reports the same value:
 * take max, never sum, over nodes). It has no samples while the figures could not be read.
 */
function clusterGauge(
  registry: Registry,
  name: string,
  help: string,
  latest: () => ClusterFigures | undefined,
  pick: (figures: ClusterFigures) => CountsByType,
): void {
  new Gauge({
    name,
    help: `${help} (cluster-wide: the same on every node)`,
    labelNames: ['scope', 'type'],
    registers: [registry],
    collect() {
      this.reset();
      const figures = latest();
      if (!figures) return;
      for (const type of SESSION_TYPES) this.set({ scope: 'cluster', type }, pick(figures)[type]);
    },
  });
}

export interface MetricsSources {
  services: Services;
  localConnected: () => number;
  totals: Totals;
  /** Why the shared store cannot be read now (Redis down), or undefined. */
  dependencyProblem: () => string | undefined;
  handshakeRefusals?: Readonly<HandshakeRefusalCounts>;
}

/** One registry per server instance: tests run many servers in one process. */
export function createMetrics({
  services,
  localConnected,
  totals,
  dependencyProblem,
  handshakeRefusals,
}: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let latest: ClusterFigures | undefined;

  /** Skips Redis at once when it is known to be down, so a scrape during an outage does not wait. */
  async function readClusterFigures(): Promise<ClusterFigures | undefined> {
    if (dependencyProblem()) return undefined;
    try {
      const [waiting, rooms] = await Promise.all([services.queue.waitingCounts(), services.rooms.counts()]);
      return { waiting, rooms };
    } catch {
      // The outage itself is logged once by the connection watcher; the gauge below says it.
      return undefined;
    }
  }

  new Gauge({
    name: 'chat_connected_sockets',
    help: 'Sockets connected to this node (per node: sum over nodes for the cluster)',
    labelNames: ['scope'],
    registers: [registry],
    collect() {
      this.set({ scope: 'node' }, localConnected());
    },
  });
  new Gauge({
    name: 'chat_cluster_figures_up',
    help: '1 when the cluster-wide gauges could be read at this scrape, 0 when they are dropped (Redis down)',
    registers: [registry],
    collect() {
      this.set(latest ? 1 : 0);
    },
  });
  clusterGauge(
    registry,
    'chat_waiting_users',
    'Users waiting for a partner, per queue',
    () => latest,
    (f) => f.waiting,
  );
  clusterGauge(
    registry,
    'chat_active_rooms',
    'Open rooms, per type',
    () => latest,
    (f) => f.rooms,
  );
  for (const name of TOTAL_NAMES) {
    const { metric, help } = TOTAL_COUNTERS[name];
    totalCounter(registry, metric, help, () => totals[name]);
  }
  totalCounter(
    registry,
    'chat_match_scans_bounded_total',
    'Partner searches by this node that stopped at MATCH_SCAN_LIMIT with waiting users left unexamined',
    () => services.queue.boundedScans(),
  );
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
  if (handshakeRefusals) {
    new Counter({
      name: 'chat_handshake_refusals_total',
      help: 'Connections turned away before becoming a socket: per_ip, rate, ceiling, origin, connect_timeout',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        this.reset();
        for (const reason of HANDSHAKE_REFUSALS) this.inc({ reason }, handshakeRefusals[reason]);
      },
    });
  }
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
  const uncountedReports = new Counter({
    name: 'chat_reports_uncounted_total',
    help: 'Reports that did not count toward an automatic ban: room too short, or from the reported address',
    labelNames: ['why'],
    registers: [registry],
  });
  for (const why of UNCOUNTED_REPORTS) uncountedReports.inc({ why }, 0);
  const reportWebhook = new Counter({
    name: 'chat_report_webhook_total',
    help: 'Report webhook events by outcome: delivered, retried (one per failed attempt), failed (gave up), dropped (queue full)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const outcome of WEBHOOK_OUTCOMES) reportWebhook.inc({ outcome }, 0);
  return {
    registry,
    matchWaitSeconds,
    clusterRepairs,
    uncountedReports,
    reportWebhook,
    async render() {
      latest = await readClusterFigures();
      return registry.metrics();
    },
  };
}

/** Whether the request carries METRICS_TOKEN as its bearer token (compared in constant time). */
export function hasMetricsToken(req: Request, token: string): boolean {
  const given = Buffer.from(req.get('authorization') ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** GET /metrics (Prometheus text format), behind a bearer token when METRICS_TOKEN is set. */
export function metricsRoute(metrics: Metrics, token: string | undefined): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (token && !hasMetricsToken(req, token)) {
      res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'A valid bearer token is required' } });
      return;
    }
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.render());
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
