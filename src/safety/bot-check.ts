import { createHash, randomBytes } from 'node:crypto';
import type { Counter } from 'prom-client';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { ExtendedError } from 'socket.io';
import type { Config } from '../config';
import type { ExpiringMarks } from '../domain/expiring-marks';
import type { ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { takePoint } from '../rate-limit';
import type { ClientSocket } from '../realtime/context';
import { botPassKey, isValidBotPass, issueBotPass } from './bot-pass';
import { checkPowProof, createPowChallenge, type PowChallenge, type SpendableProof } from './proof-of-work';
import { VerifierFailure, verifyWidgetToken } from './widget-token';

function refusal(code: ErrorCode, message: string): ExtendedError {
  return Object.assign(new Error(message), { data: { code } });
}

/** How a handshake fared at the bot check, as counted in /metrics. */
export const BOT_CHECK_RESULTS = ['passed', 'pass_accepted', 'not_suspect', 'required', 'failed', 'verifier_error'] as const;
export type BotCheckResult = (typeof BOT_CHECK_RESULTS)[number];

export interface BotCheckDeps {
  config: Readonly<Config>;
  marks: ExpiringMarks;
  logger: Logger;
  results: Counter<'result'>;
  /** Connections per IP hash per minute, shared by the cluster: past it an address is suspect. */
  connectionsPerMinute: RateLimiterAbstract;
}

/**
 * BOT_CHECK at the Socket.io handshake: a socket shows a valid bot pass (`auth.botPass`), or a proof
 * (`auth.botProof`: a solved challenge or a widget token), which is spent once cluster-wide and
 * earns a pass for its IP hash. In suspicious mode only suspect addresses are asked.
 */
export class BotCheck {
  private readonly settings: Config['safety']['botCheck'];
  private readonly secret: string;
  private readonly passKey: Buffer;

  constructor(private readonly deps: BotCheckDeps) {
    this.settings = deps.config.safety.botCheck;
    // Random per process only on a lone node: the config insists on a secret in a cluster.
    this.secret = this.settings.secret ?? randomBytes(32).toString('hex');
    this.passKey = botPassKey(this.secret);
  }

  /** A fresh proof-of-work challenge for GET /bot-check/challenge. */
  challenge(nowMs: number): Promise<PowChallenge> {
    return createPowChallenge(this.secret, this.settings.powCost, nowMs, this.settings.challengeTtlSeconds);
  }

  /** Makes an address suspect (reported, or disconnected for repeated refusals) in suspicious mode. */
  async suspect(ipHash: string, nowMs = Date.now()): Promise<void> {
    if (this.settings.mode !== 'suspicious') return;
    await this.deps.marks.mark(`suspect:${ipHash}`, nowMs + this.settings.suspectSeconds * 1000, nowMs);
  }

  /** Socket.io middleware, after the connection limits have set `socket.data.ipHash`. */
  readonly admit = async (socket: ClientSocket, next: (error?: ExtendedError) => void): Promise<void> => {
    const refuse = (result: BotCheckResult, code: ErrorCode, message: string) => {
      this.deps.results.inc({ result });
      next(refusal(code, message));
    };
    try {
      const result = await this.decide(socket, Date.now());
      if (result === 'required') return refuse(result, 'BOT_CHECK_REQUIRED', 'Complete the bot check to connect');
      if (result === 'failed') return refuse(result, 'BOT_CHECK_FAILED', 'The bot check failed, try again');
      this.deps.results.inc({ result });
      next();
    } catch (error) {
      if (error instanceof VerifierFailure) {
        this.deps.logger.warn('bot check verifier failed', { provider: this.settings.provider, error });
        return refuse('verifier_error', 'BOT_CHECK_FAILED', 'The bot check could not be verified, try again');
      }
      this.deps.logger.error('bot check failed', { error });
      next(refusal('INTERNAL_ERROR', 'Could not admit the connection'));
    }
  };

  private async decide(socket: ClientSocket, nowMs: number): Promise<BotCheckResult> {
    const auth = (socket.handshake.auth ?? {}) as { botPass?: unknown; botProof?: unknown };
    const { ipHash } = socket.data;
    if (typeof auth.botPass === 'string' && isValidBotPass(this.passKey, auth.botPass, ipHash, nowMs)) {
      socket.data.botPass = auth.botPass;
      return 'pass_accepted';
    }
    if (this.settings.mode === 'suspicious' && !(await this.isSuspect(ipHash, nowMs))) return 'not_suspect';
    if (typeof auth.botProof !== 'string' || auth.botProof === '') return 'required';
    const proof = await this.check(auth.botProof, nowMs);
    if (!proof || !(await this.deps.marks.markOnce(`botproof:${proof.id}`, proof.expiresAtMs, nowMs))) {
      await this.suspect(ipHash, nowMs);
      return 'failed';
    }
    socket.data.botPass = issueBotPass(this.passKey, ipHash, nowMs, this.settings.passTtlSeconds);
    return 'passed';
  }

  /** Counts this connection against its address, and says whether the address is suspect. */
  private async isSuspect(ipHash: string, nowMs: number): Promise<boolean> {
    if ((await takePoint(this.deps.connectionsPerMinute, ipHash)) !== undefined) await this.suspect(ipHash, nowMs);
    return this.deps.marks.isMarked(`suspect:${ipHash}`, nowMs);
  }

  private async check(proof: string, nowMs: number): Promise<SpendableProof | undefined> {
    const { provider } = this.settings;
    if (provider === 'pow') return checkPowProof(proof, this.secret);
    if (provider === 'off') return undefined;
    if (!(await verifyWidgetToken({ ...this.settings, provider }, proof))) return undefined;
    // The provider refuses a token's second use too; this keeps that true while it cannot be asked.
    const id = createHash('sha256').update(proof).digest('base64url');
    return { id, expiresAtMs: nowMs + this.settings.challengeTtlSeconds * 1000 };
  }
}
