import { SessionAwareAdapter } from 'socket.io-adapter';

interface StoredPacket {
  emittedAt: number;
}

/**
 * Socket.io's in-memory recovery adapter keeps every emitted packet for replay and sweeps only once a
 * minute, whatever the recovery window. Under a busy relay that is a minute of messages on the heap;
 * this sweeps at the pace of the window instead (RECONNECT_GRACE_MS, at least once a second).
 */
export class PromptSweepAdapter extends SessionAwareAdapter {
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(nsp: ConstructorParameters<typeof SessionAwareAdapter>[0]) {
    super(nsp);
    const windowMs = nsp.server.opts.connectionStateRecovery.maxDisconnectionDuration as number;
    this.sweepTimer = setInterval(() => this.dropPacketsOlderThan(Date.now() - windowMs), Math.max(1000, windowMs / 2));
    this.sweepTimer.unref();
  }

  private dropPacketsOlderThan(threshold: number): void {
    const packets = (this as unknown as { packets: StoredPacket[] }).packets;
    let expired = 0;
    while (expired < packets.length && packets[expired]!.emittedAt < threshold) expired += 1;
    if (expired > 0) packets.splice(0, expired);
  }

  override close(): void {
    clearInterval(this.sweepTimer);
    super.close();
  }
}
