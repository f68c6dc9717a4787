import { emptyTotals, type Totals } from '../counters';
import type { Presence } from '../presence';

/** A cluster of one: the figures are this process's own. */
export class MemoryPresence implements Presence {
  private connected = 0;
  private latestTotals: Totals = emptyTotals();

  constructor(readonly nodeId: string) {}

  async report(connected: number, totals: Totals): Promise<void> {
    this.connected = connected;
    this.latestTotals = totals;
  }

  async connectedCount(): Promise<number> {
    return this.connected;
  }

  async totals(): Promise<Totals> {
    return this.latestTotals;
  }

  async deadNodes(): Promise<string[]> {
    return [];
  }

  async firstPeerDeadline(): Promise<number | undefined> {
    return undefined;
  }

  async forgetNode(): Promise<void> {}

  /** The only node is this one, alive as long as it runs. */
  async lastHeartbeat(nodeId: string): Promise<number | undefined> {
    return nodeId === this.nodeId ? Date.now() : undefined;
  }
}
