/** Types of loopback.js (plain JS, so bench/ can require it without a build step). */

export interface RedisServer {
  url: string;
  port: number;
  /** Process id of the running server (a new one after restart()). */
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after a deadline). Safe to call twice. */
  stop(): Promise<void>;
  /** Stops the server and starts a fresh, empty one on the same port. */
  restart(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  freeze(): void;
  /** Thaws a frozen server (SIGCONT). */
  thaw(): void;
}

export interface StartRedisOptions {
  /** A command that execs redis-server with the rest of the arguments, e.g. ['taskset', '-c', '0']. */
  prefix?: string[];
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number>;

/** Starts a private, non-persistent redis-server on a free port of 127.0.0.1. */
export function startRedis(options?: StartRedisOptions): Promise<RedisServer>;
