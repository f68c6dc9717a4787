import type { Server, Socket } from 'socket.io';
import type { Config } from '../config';
import type { ClusterRepair, Totals } from '../domain/counters';
import type { Services } from '../domain/services';
import type { Room, SessionType } from '../domain/types';
import type { Logger } from '../logger';
import type { Limiters } from '../rate-limit';
import type { Safety } from '../safety/create-safety';
import type { AgeGroup, ClientToServerEvents, PartnerLeftPayload, ServerToClientEvents } from '../contract/events';
import type { ReportWebhook } from './report-webhook';
import type { RoomHistory } from './room-history';
import type { UncountedReport } from './reports';

/** What the server keeps on each socket; restored with it by connection state recovery. */
export interface SocketData {
  userId: string;
  ipHash: string;
  /**
   * The `userId` label the client gave in `join`: echoed back only as `sender` of its own messages,
   * so a seed front end recognises them; never logged, stored or shown to anyone else.
   */
  label?: string;
  /** The last join request, so `next` can queue again with the same wishes. */
  lastJoin?: { type: SessionType; interests: string[]; language?: string };
  /** The age group declared at the first join under AGE_GATE, fixed for the connection. */
  ageGroup?: AgeGroup;
  /** Set by the ban check at join / next: a shadow-banned user waits only with other shadow-banned users. */
  shadowBanned?: boolean;
  /** Set as the connection closes, so a recovered session (on any node) knows to queue again. */
  waitingWhenDropped?: boolean;
  /** The bot pass this connection showed or earned at the handshake (BOT_CHECK), sent in `session`. */
  botPass?: string;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type ClientSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export type JoinRequest = NonNullable<SocketData['lastJoin']>;
export type LeaveReason = PartnerLeftPayload['reason'];

/** What the handlers ask of the pairing (realtime/pairing.ts), which itself needs only a PairingContext. */
export interface RoomPairing {
  /** This node's users who were told they are waiting, as userId → socket id. */
  localWaiters(): ReadonlyMap<string, string>;
  /** Queues the socket's user, or pairs them at once when a partner is waiting. */
  requestPartner(socket: ClientSocket, request: JoinRequest, announceWaiting?: boolean): Promise<void>;
  /** The user is no longer waiting on this node: paired, left the queue, or gone. */
  stopWaiting(userId: string): void;
  /** Closes the room once, tells the partner why and takes both sockets out; false if it was closed already. */
  endRoom(room: Room, leaverUserId: string | undefined, reason: LeaveReason): Promise<boolean>;
  stop(): void;
}

/** Everything a realtime module may use; the pairing is built on the rest (PairingContext). */
export interface RealtimeContext extends PairingContext {
  pairing: RoomPairing;
}

export interface PairingContext {
  io: RealtimeServer;
  config: Readonly<Config>;
  logger: Logger;
  services: Services;
  limiters: Limiters;
  /** This node's running totals (see Presence for the cluster's). */
  totals: Totals;
  /** Chat history per room, node-local rooms' kept on this node (see RoomHistory). */
  history: RoomHistory;
  /** The door: bot check, message policy, ICE policy (each absent when off). */
  safety: Safety;
  /** False once shutdown has begun: no new joins. */
  accepting: () => boolean;
  observeMatchWait: (seconds: number) => void;
  countClusterRepairs: (kind: ClusterRepair, count: number) => void;
  /** Reports and automatic bans for the operator's moderation queue, when REPORT_WEBHOOK_URL is set. */
  reportWebhook?: ReportWebhook;
  /** A report kept for moderators that did not count toward an automatic ban. */
  countUncountedReport: (why: UncountedReport) => void;
  /** Why a dependency (Redis) is unreachable right now, or undefined. */
  dependencyProblem: () => string | undefined;
}
