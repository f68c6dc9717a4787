/** A dropped socket's session as Socket.io persists it, serialised (JSON) by GraceSessions. */
export interface TakenSession {
  session: string;
  /** The packets appended while the user was away, oldest first, each serialised. */
  missed: string[];
}

/**
 * Where recovery sessions live during their grace: in this process, or in Redis so that another
 * node can take them. Every session is single-use: `take` removes it with its missed packets.
 */
export interface SessionStore {
  save(pid: string, session: string, graceMs: number): Promise<void>;
  /** Appends a missed packet; false when the session is gone (taken, or expired). */
  append(pid: string, packet: string): Promise<boolean>;
  take(pid: string): Promise<TakenSession | undefined>;
  /** Drops the packets kept so far (their room closed); the session itself stays. */
  discardMissed(pid: string): Promise<void>;
  forget(pid: string): Promise<void>;
}

export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, TakenSession>();

  async save(pid: string, session: string): Promise<void> {
    this.sessions.set(pid, { session, missed: [] });
  }

  async append(pid: string, packet: string): Promise<boolean> {
    const stored = this.sessions.get(pid);
    stored?.missed.push(packet);
    return stored !== undefined;
  }

  async take(pid: string): Promise<TakenSession | undefined> {
    const stored = this.sessions.get(pid);
    this.sessions.delete(pid);
    return stored;
  }

  async discardMissed(pid: string): Promise<void> {
    const stored = this.sessions.get(pid);
    if (stored) stored.missed = [];
  }

  async forget(pid: string): Promise<void> {
    this.sessions.delete(pid);
  }
}
