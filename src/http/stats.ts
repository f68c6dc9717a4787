import type { Config } from '../config';
import { totalStats, type TotalStats, type Totals } from '../domain/counters';
import { publicIceServers } from '../domain/ice-servers';
import type { Services } from '../domain/services';
import type { CountsByType } from '../domain/types';
import type { RTCIceServerConfig } from '../contract/events';

export interface Health {
  status: 'ok' | 'draining' | 'degraded';
  reason?: string;
  uptime: number;
  timestamp: string;
  connectedUsers: number;
  waitingUsers: number;
  activeRooms: number;
}

export interface Stats extends TotalStats {
  connectedUsers: number;
  waitingUsers: CountsByType & { total: number };
  activeRooms: CountsByType & { total: number };
  refusals: Totals['refusals'];
  uptime: number;
  memory: NodeJS.MemoryUsage;
  nodeId: string;
  timestamp: string;
}

export interface Readiness {
  ready: boolean;
  reason?: string;
}

export interface StatsSource {
  health(): Promise<Health>;
  /** Whether a load balancer should send this node traffic. */
  readiness(): Readiness;
  stats(): Promise<Stats>;
  iceServers(): RTCIceServerConfig[];
}

function withTotal(counts: CountsByType): CountsByType & { total: number } {
  return { ...counts, total: counts.chat + counts.video };
}

export interface StatsDeps {
  config: Readonly<Config>;
  services: Services;
  localConnected: () => number;
  localTotals: Totals;
  /** Why the node should not take traffic (draining, Redis down), or undefined when it is fine. */
  unavailableReason: () => { status: 'draining' | 'degraded'; reason: string } | undefined;
  listening: () => boolean;
}

/** Figures for /health and /stats; in a cluster they are the cluster's, summed over live nodes. */
export function createStatsSource({
  config,
  services,
  localConnected,
  localTotals,
  unavailableReason,
  listening,
}: StatsDeps): StatsSource {
  const startedAt = Date.now();
  const uptime = () => Math.round((Date.now() - startedAt) / 1000);

  async function counts() {
    await services.presence.report(localConnected(), localTotals);
    const [connectedUsers, waiting, rooms, totals] = await Promise.all([
      services.presence.connectedCount(),
      services.queue.waitingCounts(),
      services.rooms.counts(),
      services.presence.totals(),
    ]);
    return { connectedUsers, waiting: withTotal(waiting), rooms: withTotal(rooms), totals };
  }

  // Monitors and strangers alike may poll /health as often as they like: the counts behind it (a dozen
  // Redis commands in a cluster) are read at most once per HEALTH_CACHE_MS, and concurrent requests share
  // one read. The status itself (draining, Redis down) is always current.
  let snapshot: { takenAt: number; counts: ReturnType<typeof counts> } | undefined;
  function healthCounts(): ReturnType<typeof counts> {
    const now = Date.now();
    if (!snapshot || now - snapshot.takenAt >= config.healthCacheMs) {
      snapshot = { takenAt: now, counts: counts() };
      snapshot.counts.catch(() => undefined);
    }
    return snapshot.counts;
  }

  return {
    async health() {
      const base = { uptime: uptime(), timestamp: new Date().toISOString() };
      const problem = unavailableReason();
      try {
        const { connectedUsers, waiting, rooms } = await healthCounts();
        return {
          status: problem?.status ?? 'ok',
          reason: problem?.reason,
          ...base,
          connectedUsers,
          waitingUsers: waiting.total,
          activeRooms: rooms.total,
        };
      } catch {
        return {
          status: 'degraded',
          reason: problem?.reason ?? 'counts unavailable',
          ...base,
          connectedUsers: localConnected(),
          waitingUsers: 0,
          activeRooms: 0,
        };
      }
    },
    async stats() {
      const { connectedUsers, waiting, rooms, totals } = await counts();
      return {
        connectedUsers,
        waitingUsers: waiting,
        activeRooms: rooms,
        ...totalStats(totals),
        refusals: totals.refusals,
        uptime: uptime(),
        memory: process.memoryUsage(),
        nodeId: services.presence.nodeId,
        timestamp: new Date().toISOString(),
      };
    },
    readiness() {
      if (!listening()) return { ready: false, reason: 'starting' };
      const problem = unavailableReason();
      return problem ? { ready: false, reason: problem.reason } : { ready: true };
    },
    iceServers() {
      return publicIceServers(config.ice, config.safety.iceRelayOnly);
    },
  };
}
