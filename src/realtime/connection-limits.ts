import { createHash, randomBytes } from 'node:crypto';
import type { ExtendedError } from 'socket.io';
import { clientIp, compileTrust } from '../client-ip';
import type { Config } from '../config';
import type { ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { takePoint, type Limiters } from '../rate-limit';
import type { ClientSocket } from './context';

export function refusal(code: ErrorCode, message: string, retryAfterMs?: number): ExtendedError {
  return Object.assign(new Error(message), { data: { code, retryAfterMs } });
}

/**
 * Per-IP admission for new sockets: a connection-rate budget and a cap on concurrent sockets.
 * The IP comes from X-Forwarded-For only as far as TRUST_PROXY trusts the proxies.
 */
export class ConnectionLimits {
  private readonly trust;
  private readonly salt: string;
  private readonly openByIp = new Map<string, number>();
  private readonly ipOf = new WeakMap<ClientSocket, string>();

  constructor(
    private readonly config: Readonly<Config>,
    private readonly limiters: Limiters,
    private readonly logger: Logger,
  ) {
    this.trust = compileTrust(config.trustProxy);
    this.salt = config.moderation.ipHashSalt ?? randomBytes(32).toString('hex');
  }

  /** Socket.io middleware: admits the socket or refuses it with `connect_error` data {code}. */
  readonly admit = async (socket: ClientSocket, next: (error?: ExtendedError) => void): Promise<void> => {
    try {
      const ip = clientIp(socket.request, this.trust);
      const open = this.openByIp.get(ip) ?? 0;
      if (open >= this.config.limits.connectionsPerIp) {
        this.logger.info('connection refused: too many open connections from one address', { ipHash: this.hash(ip), open });
        return next(refusal('RATE_LIMITED', 'Too many open connections from your address'));
      }
      const retryAfterMs = await takePoint(this.limiters.connections, ip);
      if (retryAfterMs !== undefined) {
        this.logger.info('connection refused: connection rate exceeded', { ipHash: this.hash(ip) });
        return next(refusal('RATE_LIMITED', 'Too many new connections from your address', retryAfterMs));
      }
      this.openByIp.set(ip, open + 1);
      this.ipOf.set(socket, ip);
      socket.data.ipHash = this.hash(ip);
      next();
    } catch (error) {
      this.logger.error('connection admission failed', { error: String(error) });
      next(refusal('INTERNAL_ERROR', 'Could not admit the connection'));
    }
  };

  release(socket: ClientSocket): void {
    const ip = this.ipOf.get(socket);
    if (ip === undefined) return;
    this.ipOf.delete(socket);
    const open = (this.openByIp.get(ip) ?? 1) - 1;
    if (open > 0) this.openByIp.set(ip, open);
    else this.openByIp.delete(ip);
  }

  /** Salted so that stored ban keys cannot be turned back into addresses. */
  private hash(ip: string): string {
    return createHash('sha256').update(this.salt).update(ip).digest('base64url').slice(0, 22);
  }
}
