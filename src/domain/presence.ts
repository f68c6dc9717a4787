import type { Totals } from './counters';

/**
 * Who is connected, across the cluster. Each node reports its own figures; `connectedCount` and
 * `totals` sum the live nodes.
 */
export interface Presence {
  readonly nodeId: string;
  /** Publishes this node's connected count and totals (called on a timer, not per event). */
  report(connected: number, totals: Totals): Promise<void>;
  connectedCount(): Promise<number>;
  totals(): Promise<Totals>;
  /** Nodes whose heartbeat stopped; the caller cleans up after them. */
  deadNodes(now: number): Promise<string[]>;
  /**
   * When the first other node counts as dead if it stays silent from now on (its last heartbeat +
   * NODE_DEAD_AFTER_MS), or undefined when there is no other node. Lets a survivor look exactly then.
   */
  firstPeerDeadline(): Promise<number | undefined>;
  forgetNode(nodeId: string): Promise<void>;
  /** When `nodeId` last heartbeated (ms), or undefined when it never did or was forgotten. */
  lastHeartbeat(nodeId: string): Promise<number | undefined>;
}
