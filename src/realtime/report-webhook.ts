import type { Config } from '../config';
import type { Ban, Report } from '../domain/moderation';
import type { Logger } from '../logger';

export type ModerationEvent = { type: 'report'; report: Report } | { type: 'ban'; ban: Ban };

export type WebhookOutcome = 'delivered' | 'retried' | 'failed' | 'dropped';
export const WEBHOOK_OUTCOMES: readonly WebhookOutcome[] = ['delivered', 'retried', 'failed', 'dropped'];

type WebhookConfig = NonNullable<Config['moderation']['reportWebhook']>;

/**
 * Sends reports and automatic bans to the operator's moderation queue (REPORT_WEBHOOK_URL), off
 * the event's path: `send` only queues. One delivery at a time, each attempt bounded by a timeout,
 * retried with doubling backoff; a full queue drops the new event. Every outcome is counted.
 */
export class ReportWebhook {
  private readonly queue: ModerationEvent[] = [];
  private delivering = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly webhook: WebhookConfig,
    private readonly logger: Logger,
    private readonly count: (outcome: WebhookOutcome) => void,
  ) {}

  send(event: ModerationEvent): void {
    if (this.stopped) return;
    if (this.queue.length >= this.webhook.queueLimit) {
      this.count('dropped');
      this.logger.warn('report webhook queue full, event dropped', { type: event.type, queued: this.queue.length });
      return;
    }
    this.queue.push(event);
    this.drain();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.queue.length = 0;
  }

  private drain(attempt = 1): void {
    const event = this.queue[0];
    if (this.delivering || this.stopped || !event) return;
    this.delivering = true;
    this.post(event)
      .then(() => {
        this.count('delivered');
        this.queue.shift();
        this.delivering = false;
        this.drain();
      })
      .catch((error: unknown) => {
        if (attempt >= this.webhook.attempts) {
          this.count('failed');
          this.logger.error('report webhook gave up', { type: event.type, attempts: attempt, error });
          this.queue.shift();
          this.delivering = false;
          return this.drain();
        }
        this.count('retried');
        // Still `delivering` while the retry waits, so a new event cannot overtake this one.
        this.retryTimer = setTimeout(
          () => {
            this.delivering = false;
            this.drain(attempt + 1);
          },
          this.webhook.retryMs * 2 ** (attempt - 1),
        );
        this.retryTimer.unref();
      });
  }

  private async post(event: ModerationEvent): Promise<void> {
    const response = await fetch(this.webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(this.webhook.timeoutMs),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  }
}
