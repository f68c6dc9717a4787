type Step = () => Promise<void>;

/**
 * Runs steps one at a time. A step asked for while another runs is not dropped but runs right after
 * it (once, however often it was asked for meanwhile): a heartbeat that falls on a sweep comes late
 * by the sweep, not by a whole heartbeat interval. Once stopped, nothing more runs.
 */
export class SerialSteps {
  private running = false;
  private stopped = false;
  private readonly pending = new Set<Step>();

  constructor(private readonly onFailure: (error: unknown) => void) {}

  async run(step: Step): Promise<void> {
    if (this.stopped) return;
    if (this.running) {
      this.pending.add(step);
      return;
    }
    this.running = true;
    try {
      await step();
    } catch (error) {
      this.onFailure(error);
    } finally {
      this.running = false;
    }
    const [next] = this.pending;
    if (next === undefined) return;
    this.pending.delete(next);
    await this.run(next);
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
  }
}
