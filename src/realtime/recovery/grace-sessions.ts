import type { Session } from 'socket.io-adapter';
import type { Logger } from '../../logger';
import type { SessionStore } from './session-store';

/** What recovery holds on this node right now, and what it refused to hold (for /metrics). */
export interface RecoveryStats {
  heldSessions: number;
  missedBytes: number;
  droppedPackets: number;
}

export interface RecoveryLimits {
  graceMs: number;
  /** Bytes of missed packets kept for one dropped user; later packets are dropped and counted. */
  maxMissedBytes: number;
}

export type SessionToPersist = Omit<Session, 'missedPackets'>;

/** How packets are told apart on replay, and what a returning user missed before their drop was noticed. */
export interface RecoveryReplay {
  /** The offset a packet gives the client (the last one it received comes back on reconnect). */
  offsetOf(data: unknown[]): string | undefined;
  /** Packets sent after `offset` that the store may lack: sent while the drop was not yet noticed. */
  sentAfter(session: SessionToPersist, offset: string): Promise<unknown[][]>;
}

interface Held {
  sid: string;
  pid: string;
  rooms: string[];
  bytes: number;
  timer: NodeJS.Timeout;
  /** Packets captured while a take is in flight on this node, handed over with the session. */
  restoring?: unknown[][];
}

/**
 * The recovery sessions of users who dropped from this node, while their grace lasts. Packets for
 * their rooms are captured for them (and only for them: nothing is kept for connected users), up to
 * a byte budget each, into a store that any node may take the session from, once.
 */
export class GraceSessions {
  private readonly byPid = new Map<string, Held>();
  private readonly bySid = new Map<string, Held>();
  private readonly heldInRoom = new Map<string, Set<Held>>();

  constructor(
    private readonly store: SessionStore,
    private readonly limits: RecoveryLimits,
    private readonly stats: RecoveryStats,
    private readonly logger: Logger,
    private readonly replay: RecoveryReplay,
    /** Called when a held socket id no longer needs its room memberships on this node. */
    private readonly onRelease: (sid: string) => void,
  ) {}

  holds(sid: string): boolean {
    return this.bySid.has(sid);
  }

  get empty(): boolean {
    return this.heldInRoom.size === 0;
  }

  persist(session: SessionToPersist): void {
    const held: Held = { sid: session.sid, pid: session.pid, rooms: session.rooms, bytes: 0, timer: undefined! };
    held.timer = setTimeout(() => this.expire(held), this.limits.graceMs);
    held.timer.unref();
    this.byPid.set(held.pid, held);
    this.bySid.set(held.sid, held);
    for (const room of held.rooms) {
      const inRoom = this.heldInRoom.get(room) ?? new Set<Held>();
      inRoom.add(held);
      this.heldInRoom.set(room, inRoom);
    }
    this.stats.heldSessions += 1;
    this.store.save(held.pid, JSON.stringify(session), this.limits.graceMs).catch((error: unknown) => {
      this.logger.error('saving a recovery session failed', { error });
    });
  }

  /**
   * Keeps a copy of an event packet for every held user it was addressed to. `onGone` runs when the
   * store says a session was taken elsewhere, for a caller that delivered the packet only locally.
   */
  capture(data: unknown[], rooms: Iterable<string>, except: ReadonlySet<string> | undefined, onGone?: () => void): void {
    let targets: Set<Held> | undefined;
    for (const room of rooms) {
      for (const held of this.heldInRoom.get(room) ?? []) if (!except?.has(held.sid)) (targets ??= new Set()).add(held);
    }
    if (!targets) return;
    const packet = JSON.stringify(data);
    const bytes = Buffer.byteLength(packet);
    for (const held of targets) {
      if (held.restoring) {
        held.restoring.push(data);
        continue;
      }
      if (held.bytes + bytes > this.limits.maxMissedBytes) {
        this.stats.droppedPackets += 1;
        continue;
      }
      held.bytes += bytes;
      this.stats.missedBytes += bytes;
      this.store.append(held.pid, packet).then(
        (kept) => {
          if (kept) return;
          this.release(held, false);
          onGone?.();
        },
        (error: unknown) => this.logger.warn('keeping a missed packet failed', { error }),
      );
    }
  }

  /**
   * Single use: the first caller, on any node, gets the session and what it missed, in order: what
   * was sent after the client's offset before the drop was noticed, then what was kept since.
   */
  async take(pid: string, offset: string): Promise<Session | null> {
    const held = this.byPid.get(pid);
    if (held) held.restoring = [];
    const taken = await this.store.take(pid);
    if (!taken) {
      if (held) this.release(held, false);
      return null;
    }
    const session = JSON.parse(taken.session) as SessionToPersist;
    const earlier = await this.replay.sentAfter(session, offset).catch((error: unknown) => {
      this.logger.warn('reading what a returning user missed failed', { error });
      return [];
    });
    if (held) this.release(held, true);
    const kept = [...taken.missed.map((packet) => JSON.parse(packet) as unknown[]), ...(held?.restoring ?? [])];
    const keptOffsets = new Set(kept.map((data) => this.replay.offsetOf(data)));
    const unseen = earlier.filter((data) => !keptOffsets.has(this.replay.offsetOf(data)));
    return { ...session, missedPackets: [...unseen, ...kept] };
  }

  /**
   * A room closed while some of its users were away: nothing written in it may outlive it, so what
   * was kept for them goes (they still come back, and are told the room ended). Returns their socket
   * ids, which no longer need to be in the room.
   */
  roomClosed(room: string): string[] {
    const inRoom = this.heldInRoom.get(room);
    if (!inRoom) return [];
    this.heldInRoom.delete(room);
    for (const held of inRoom) {
      held.rooms = held.rooms.filter((other) => other !== room);
      this.stats.missedBytes -= held.bytes;
      held.bytes = 0;
      this.store.discardMissed(held.pid).catch((error: unknown) => this.logger.warn('dropping missed packets failed', { error }));
    }
    return [...inRoom].map((held) => held.sid);
  }

  close(): void {
    for (const held of [...this.byPid.values()]) this.release(held, true);
  }

  private expire(held: Held): void {
    this.release(held, false);
    this.store.forget(held.pid).catch((error: unknown) => this.logger.warn('dropping an expired session failed', { error }));
  }

  /** `handedOver`: a socket on this node takes over the memberships (or the node is closing). */
  private release(held: Held, handedOver: boolean): void {
    if (this.byPid.get(held.pid) !== held) return;
    clearTimeout(held.timer);
    this.byPid.delete(held.pid);
    this.bySid.delete(held.sid);
    for (const room of held.rooms) {
      const inRoom = this.heldInRoom.get(room);
      inRoom?.delete(held);
      if (inRoom?.size === 0) this.heldInRoom.delete(room);
    }
    this.stats.heldSessions -= 1;
    this.stats.missedBytes -= held.bytes;
    if (!handedOver) this.onRelease(held.sid);
  }
}
