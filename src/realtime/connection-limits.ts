import type { IncomingMessage } from 'node:http';
import type { ExtendedError } from 'socket.io';
import { clientIp, compileTrust } from '../client-ip';
import type { Config } from '../config';
import type { IpHasher } from '../ip-hash';
import type { Logger } from '../logger';
import { takePoint, type Limiters } from '../rate-limit';
import type { ClientSocket, RealtimeServer } from './context';
import { RefusalLog } from './refusal-log';

/** Why a connection was turned away before it became a Socket.IO socket (see /metrics). */
export const HANDSHAKE_REFUSALS = ['per_ip', 'rate', 'ceiling', 'origin', 'connect_timeout'] as const;
export type HandshakeRefusal = (typeof HANDSHAKE_REFUSALS)[number];
export type HandshakeRefusalCounts = Record<HandshakeRefusal, number>;

/** The parts of an Engine.IO session the admission needs. */
interface EngineSession {
  request: IncomingMessage;
  once(event: 'close', listener: (reason: string) => void): unknown;
  close(discard?: boolean): void;
}

type AllowCallback = (error: string | null | undefined, success: boolean) => void;

function originAllowed(config: Readonly<Config>, request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  return config.corsOrigins === '*' || origin === undefined || config.corsOrigins.includes(origin);
}

/**
 * Admission at the Engine.IO handshake, for polling and websocket alike, so nothing is spent on a
 * connection before it is counted: the Origin check, a ceiling on this node's sessions, a cap on one
 * address's concurrent sessions and a handshake rate per address. A handshake takes its address's
 * slot before anything is awaited and gives it back when its session closes or, if the session never
 * opened (the client hung up meanwhile), right after. A session that has not sent the Socket.IO
 * CONNECT within CONNECT_TIMEOUT_MS is closed here, its transport discarded and its connection cut:
 * a plain close would leave a polling session waiting 30 s for its next poll, holding the slot.
 * Counts are per node.
 */
export class ConnectionLimits {
  readonly refused: HandshakeRefusalCounts = Object.fromEntries(
    HANDSHAKE_REFUSALS.map((reason) => [reason, 0]),
  ) as HandshakeRefusalCounts;
  private readonly trust;
  private readonly log: RefusalLog;
  /** Sessions per address, those still opening included. */
  private readonly openByIp = new Map<string, number>();
  /** Admitted handshakes whose session has not opened yet. */
  private readonly opening = new Map<IncomingMessage, string>();
  private readonly joined = new WeakSet<object>();
  private engineSessions: () => number = () => 0;

  constructor(
    private readonly config: Readonly<Config>,
    private readonly limiters: Limiters,
    logger: Logger,
    private readonly hashIp: IpHasher,
  ) {
    this.trust = compileTrust(config.trustProxy);
    this.log = new RefusalLog(logger, config.limits.refusalLogIntervalMs);
  }

  /** Engine.IO `allowRequest`: called once per handshake, before a session exists. */
  readonly allowRequest = (request: IncomingMessage, callback: AllowCallback): void => {
    void this.decide(request).then((refusal) => {
      if (refusal) return callback(refusal, false);
      callback(null, true);
      // The session opens synchronously from here unless the handshake failed; then free the slot.
      setImmediate(() => this.forgetOpening(request));
    });
  };

  /** Tracks sessions from open to close and tags each socket with its address's salted hash. */
  attach(io: RealtimeServer): void {
    this.engineSessions = () => io.engine.clientsCount;
    io.engine.on('connection', (session: EngineSession) => this.onSessionOpen(session));
    io.on('connection', (socket) => this.joined.add(socket.conn));
    io.use(this.tag);
  }

  stop(): void {
    this.log.stop();
  }

  private async decide(request: IncomingMessage): Promise<string | undefined> {
    let ip: string;
    try {
      ip = clientIp(request, this.trust);
    } catch {
      ip = request.socket.remoteAddress ?? 'unknown';
    }
    if (!originAllowed(this.config, request)) return this.refuse('origin', ip, 'Origin not allowed');
    if (this.engineSessions() + this.opening.size >= this.config.limits.maxConnections)
      return this.refuse('ceiling', ip, 'Server full, try again later');
    const open = this.openByIp.get(ip) ?? 0;
    if (open >= this.config.limits.connectionsPerIp)
      return this.refuse('per_ip', ip, 'Too many open connections from your address');
    this.openByIp.set(ip, open + 1);
    this.opening.set(request, ip);
    let retryAfterMs: number | undefined;
    try {
      retryAfterMs = await takePoint(this.limiters.connections, this.hashIp(ip));
    } catch (error) {
      this.forgetOpening(request);
      this.log.note(this.hashIp(ip), 'limiter_failed', 'the connection rate could not be checked');
      return `Could not admit the connection (${(error as Error).message ?? 'limiter failed'})`;
    }
    if (retryAfterMs === undefined) return undefined;
    this.forgetOpening(request);
    return this.refuse('rate', ip, `Too many new connections from your address, retry in ${Math.ceil(retryAfterMs / 1000)} s`);
  }

  private refuse(reason: HandshakeRefusal, ip: string, message: string): string {
    this.refused[reason] += 1;
    this.log.note(this.hashIp(ip), reason, message);
    return message;
  }

  private onSessionOpen(session: EngineSession): void {
    const ip = this.opening.get(session.request);
    if (ip === undefined) return;
    this.opening.delete(session.request);
    let timedOut = false;
    const connectTimer = setTimeout(() => {
      if (this.joined.has(session)) return;
      timedOut = true;
      session.close(true);
      session.request.socket.destroy();
    }, this.config.limits.connectTimeoutMs);
    connectTimer.unref();
    session.once('close', () => {
      clearTimeout(connectTimer);
      this.release(ip);
      if (timedOut) this.refuse('connect_timeout', ip, 'no CONNECT in time');
    });
  }

  private forgetOpening(request: IncomingMessage): void {
    const ip = this.opening.get(request);
    if (ip === undefined) return;
    this.opening.delete(request);
    this.release(ip);
  }

  private release(ip: string): void {
    const open = (this.openByIp.get(ip) ?? 1) - 1;
    if (open > 0) this.openByIp.set(ip, open);
    else this.openByIp.delete(ip);
  }

  /** Socket.io middleware: bans and reports work on the salted hash of the address, never the IP. */
  private readonly tag = (socket: ClientSocket, next: (error?: ExtendedError) => void): void => {
    try {
      socket.data.ipHash = this.hashIp(clientIp(socket.request, this.trust));
    } catch {
      socket.data.ipHash = this.hashIp(socket.request.socket.remoteAddress ?? 'unknown');
    }
    next();
  };
}
