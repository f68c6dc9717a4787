import proxyaddr from 'proxy-addr';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();
const optionalString = z
  .string()
  .trim()
  .transform((value) => value || undefined)
  .optional();
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((value) => ['true', '1', 'yes'].includes(value));

/** An Origin header value: scheme://host[:port], nothing after it. */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/\s?#]+$/i;

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** Whether Express/proxy-addr accept every entry (addresses, subnets, loopback/linklocal/uniquelocal). */
function isProxyAddressList(value: string): boolean {
  try {
    proxyaddr.compile(splitList(value));
    return true;
  } catch {
    return false;
  }
}

/**
 * Every variable the server reads, its parser and its default. `describe` says what a valid value
 * looks like; it is printed when start-up refuses a bad one.
 */
const envSchema = z.object({
  PORT: port.default(3000).describe('a port number 0-65535'),
  HOST: z.string().min(1).default('0.0.0.0').describe('an address to bind, e.g. 0.0.0.0 or 127.0.0.1'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('development, production or test'),
  LOG_LEVEL: z
    .enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'])
    .optional()
    .describe('error, warn, info, http, verbose, debug or silly'),
  CORS_ORIGIN: z
    .string()
    .trim()
    .min(1)
    .refine((value) => value === '*' || splitList(value).every((origin) => ORIGIN.test(origin)))
    .default('*')
    .describe('* or a comma-separated list of origins with their scheme, such as https://example.com'),
  TRUST_PROXY: z
    .string()
    .trim()
    .refine((value) => value === 'true' || value === 'false' || /^\d+$/.test(value) || isProxyAddressList(value))
    .default('false')
    .describe('false, a hop count (1 = one proxy), or a comma list of proxy addresses/subnets such as loopback or 10.0.0.0/8'),

  RATE_LIMIT_POINTS: positiveInt.default(100).describe('a positive integer (events per socket per window)'),
  RATE_LIMIT_DURATION: positiveInt.default(60).describe('a positive integer (window in seconds)'),
  JOIN_RATE_LIMIT_POINTS: positiveInt.default(10).describe('a positive integer (joins/skips per socket per window)'),
  JOIN_RATE_LIMIT_DURATION: positiveInt.default(60).describe('a positive integer (seconds)'),
  MESSAGE_RATE_LIMIT_POINTS: positiveInt.default(30).describe('a positive integer (chat messages per socket per window)'),
  MESSAGE_RATE_LIMIT_DURATION: positiveInt.default(10).describe('a positive integer (seconds)'),
  RATE_LIMIT_DISCONNECT_AFTER: positiveInt
    .default(30)
    .describe('a positive integer (refused events per window before disconnect)'),
  MAX_CONNECTIONS_PER_IP: positiveInt.default(20).describe('a positive integer (concurrent sockets per client IP)'),
  CONNECTION_RATE_LIMIT_POINTS: positiveInt.default(60).describe('a positive integer (new sockets per client IP per window)'),
  CONNECTION_RATE_LIMIT_DURATION: positiveInt.default(60).describe('a positive integer (seconds)'),
  HTTP_RATE_LIMIT_POINTS: positiveInt.default(300).describe('a positive integer (HTTP API requests per IP per window)'),
  HTTP_RATE_LIMIT_DURATION: positiveInt.default(60).describe('a positive integer (seconds)'),
  MAX_CONNECTIONS: positiveInt.default(10000).describe('a positive integer (Engine.IO sessions this node holds at most)'),
  CONNECT_TIMEOUT_MS: positiveInt
    .default(5000)
    .describe('a positive integer (ms a session may stay open without a Socket.IO CONNECT)'),
  ADDRESS_JOIN_RATE_LIMIT_POINTS: positiveInt
    .default(60)
    .describe('a positive integer (joins/skips per client IP per window, over all its sockets)'),
  ADDRESS_JOIN_RATE_LIMIT_DURATION: positiveInt.default(60).describe('a positive integer (seconds)'),
  REFUSAL_LOG_INTERVAL_MS: positiveInt
    .default(10000)
    .describe('a positive integer (ms between summary lines of refused connections per address)'),
  HEALTH_CACHE_MS: nonNegativeInt.default(1000).describe('a non-negative integer (ms a /health snapshot is reused)'),
  MAX_HTTP_BUFFER_SIZE: positiveInt.default(64 * 1024).describe('a positive integer (bytes per Socket.io frame)'),

  MAX_MESSAGE_LENGTH: positiveInt.default(2000).describe('a positive integer (characters per chat message)'),
  MESSAGE_HISTORY_LIMIT: nonNegativeInt.default(50).describe('a non-negative integer (messages kept per chat room)'),
  MAX_SDP_BYTES: positiveInt.default(64 * 1024).describe('a positive integer (bytes per SDP)'),
  MAX_ICE_CANDIDATE_LENGTH: positiveInt.default(2048).describe('a positive integer (characters per ICE candidate)'),
  USER_COUNT_INTERVAL_MS: positiveInt.default(1000).describe('a positive integer (ms between user_count_update broadcasts)'),

  MATCH_INTEREST_TIMEOUT_MS: nonNegativeInt
    .default(5000)
    .describe('a non-negative integer (ms before falling back to any partner)'),
  REMATCH_COOLDOWN_MS: nonNegativeInt
    .default(60000)
    .describe('a non-negative integer (ms before the same two users may meet again)'),
  MATCH_SCAN_LIMIT: positiveInt.default(50).describe('a positive integer (waiting users one join examines at most)'),
  MATCH_LOCAL_PREFERENCE_MS: nonNegativeInt
    .default(0)
    .describe('a non-negative integer (ms a same-node partner may have waited less than a remote one and still win; 0 = off)'),
  BAN_REPORT_THRESHOLD: positiveInt.default(3).describe('a positive integer (distinct reporters before a ban)'),
  BAN_WINDOW_MS: positiveInt.default(3600000).describe('a positive integer (ms over which reports are counted)'),
  BAN_DURATION_MS: positiveInt.default(86400000).describe('a positive integer (ms a ban lasts)'),
  BAN_IP_REPORT_THRESHOLD: z.coerce
    .number()
    .int()
    .min(2)
    .default(3)
    .describe('an integer >= 2 (distinct reporter addresses before an automatic ban also covers the IP hash)'),
  REPORT_MIN_ROOM_MS: nonNegativeInt
    .default(3000)
    .describe('a non-negative integer (ms a room must last, unless the reported user wrote, for a report to count)'),
  REPORT_RETENTION_MS: positiveInt.default(604800000).describe('a positive integer (ms reports are kept for moderators)'),
  REPORT_EVIDENCE_MESSAGES: nonNegativeInt
    .default(0)
    .describe('a non-negative integer (last room messages kept with a report for moderators; 0 = none)'),
  REPORT_WEBHOOK_URL: optionalString
    .pipe(z.url({ protocol: /^https?$/ }).optional())
    .describe('an http(s) URL that receives each report and automatic ban as JSON'),
  REPORT_WEBHOOK_TIMEOUT_MS: positiveInt.default(5000).describe('a positive integer (ms per webhook attempt)'),
  REPORT_WEBHOOK_ATTEMPTS: positiveInt.default(5).describe('a positive integer (tries per webhook event)'),
  REPORT_WEBHOOK_RETRY_MS: positiveInt
    .default(1000)
    .describe('a positive integer (ms before the first retry; doubles each time)'),
  REPORT_WEBHOOK_QUEUE_LIMIT: positiveInt.default(1000).describe('a positive integer (webhook events waiting; more are dropped)'),
  AUDIT_LOG_LENGTH: positiveInt.default(1000).describe('a positive integer (moderation audit entries kept)'),
  IP_HASH_SALT: optionalString.describe('a secret string used to hash client IPs for bans (random per process when unset)'),
  RECONNECT_GRACE_MS: nonNegativeInt.default(10000).describe('a non-negative integer (ms a dropped user keeps their room)'),
  RECONNECT_MISSED_MAX_BYTES: positiveInt
    .default(262144)
    .describe('a positive integer (bytes of missed packets kept for one dropped user)'),

  STUN_SERVER_1: optionalString.describe('a stun: URL'),
  STUN_SERVER_2: optionalString.describe('a stun: URL'),
  TURN_SERVER: optionalString.describe('host:port or a turn:/turns: URL'),
  TURN_USERNAME: optionalString.describe('a string'),
  TURN_CREDENTIAL: optionalString.describe('a string'),
  TURN_SECRET: optionalString.describe("coturn's static-auth-secret (enables short-lived credentials)"),
  TURN_TTL_SECONDS: positiveInt.default(600).describe('a positive integer (lifetime of TURN credentials)'),

  REDIS_URL: optionalString.describe('a redis:// or rediss:// URL'),
  NODE_HEARTBEAT_MS: positiveInt.default(5000).describe('a positive integer (ms between node heartbeats in Redis)'),
  REDIS_COMMAND_TIMEOUT_MS: positiveInt
    .default(2000)
    .describe('a positive integer (ms a Redis command may take before it counts as failed)'),
  NODE_DEAD_AFTER_MS: positiveInt.default(15000).describe('a positive integer (ms without heartbeat before a node is dead)'),

  ADMIN_TOKENS: z
    .string()
    .trim()
    .regex(/^([\w.-]+:[^,:\s]{16,})(,\s*[\w.-]+:[^,:\s]{16,})*$/)
    .optional()
    .describe('name:token pairs, comma-separated, each token at least 16 characters (enables /admin)'),
  ADMIN_RATE_LIMIT_POINTS: positiveInt.default(120).describe('a positive integer (admin API requests per IP per window)'),
  ADMIN_RATE_LIMIT_DURATION: positiveInt.default(60).describe('a positive integer (seconds)'),
  ADMIN_PAGE_LIMIT: positiveInt.default(100).describe('a positive integer (largest page the admin API returns)'),
  METRICS_TOKEN: optionalString.describe('a bearer token required by GET /metrics (open when unset)'),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10000).describe('a positive integer (ms allowed for graceful shutdown)'),
  PING_INTERVAL_MS: positiveInt.default(25000).describe('a positive integer (Socket.io ping interval)'),
  PING_TIMEOUT_MS: positiveInt.default(20000).describe('a positive integer (Socket.io ping timeout)'),
  AGE_GATE: z.enum(['off', 'adult-only', 'split']).default('off').describe('off, adult-only or split'),
  BAN_MODE: z.enum(['hard', 'shadow']).default('hard').describe('hard or shadow'),
  BOT_CHECK: z.enum(['off', 'pow', 'turnstile', 'hcaptcha']).default('off').describe('off, pow, turnstile or hcaptcha'),
  BOT_CHECK_MODE: z.enum(['always', 'suspicious']).default('always').describe('always or suspicious'),
  BOT_CHECK_POW_COST: positiveInt.default(50000).describe('a positive integer (proof-of-work maximum number)'),
  BOT_CHECK_SECRET: optionalString.describe('the Turnstile / hCaptcha secret key (or the proof-of-work HMAC key)'),
  BOT_CHECK_SITE_KEY: optionalString.describe('the Turnstile / hCaptcha site key given to clients'),
  BOT_CHECK_VERIFY_URL: optionalString.describe("an http(s) URL (the provider's siteverify endpoint by default)"),
  BOT_CHECK_TIMEOUT_MS: positiveInt.default(3000).describe('a positive integer (ms allowed for a verification)'),
  BOT_PASS_TTL_SECONDS: positiveInt.default(3600).describe('a positive integer (lifetime of a bot pass)'),
  BOT_CHECK_CHALLENGE_TTL_SECONDS: positiveInt
    .default(300)
    .describe('a positive integer (lifetime of a proof-of-work challenge)'),
  BOT_CHECK_SUSPECT_CONNECTIONS: positiveInt
    .default(20)
    .describe('a positive integer (connections per minute that make an address suspect)'),
  BOT_CHECK_SUSPECT_SECONDS: positiveInt.default(3600).describe('a positive integer (how long an address stays suspect)'),
  MESSAGE_FILTER: z.enum(['off', 'contact']).default('off').describe('off or contact'),
  MODERATION_HOOK_URL: optionalString.describe('an http(s) URL that decides on every chat message'),
  MODERATION_HOOK_TIMEOUT_MS: positiveInt.default(300).describe('a positive integer (ms)'),
  MODERATION_HOOK_FAIL: z.enum(['open', 'closed']).default('open').describe('open or closed'),
  ICE_RELAY_ONLY: booleanFlag.default(false).describe('true or false (video only through TURN)'),
  SERVE_DEMO: booleanFlag.default(true).describe('true or false (serve the demo client at /)'),
});

type Env = z.infer<typeof envSchema>;

export interface RateBudget {
  points: number;
  durationSeconds: number;
}

export interface Config {
  port: number;
  host: string;
  nodeEnv: Env['NODE_ENV'];
  logLevel: NonNullable<Env['LOG_LEVEL']>;
  logLevelExplicit: boolean;
  corsOrigins: '*' | string[];
  trustProxy: boolean | number | string;
  limits: {
    events: RateBudget;
    joins: RateBudget;
    messages: RateBudget;
    disconnectAfterRefusals: number;
    connectionsPerIp: number;
    connectionRate: RateBudget;
    maxConnections: number;
    connectTimeoutMs: number;
    addressJoins: RateBudget;
    refusalLogIntervalMs: number;
    http: RateBudget;
    maxHttpBufferSize: number;
    maxMessageLength: number;
    maxSdpBytes: number;
    maxIceCandidateLength: number;
  };
  messageHistoryLimit: number;
  userCountIntervalMs: number;
  healthCacheMs: number;
  matching: {
    interestTimeoutMs: number;
    rematchCooldownMs: number;
    scanLimit: number;
    localPreferenceMs: number;
  };
  moderation: {
    banReportThreshold: number;
    banWindowMs: number;
    banDurationMs: number;
    /** Distinct reporter addresses before an automatic ban covers the reported IP hash too. */
    banIpReportThreshold: number;
    /** A report counts toward a ban only if the room lasted this long or the reported user wrote. */
    reportMinRoomMs: number;
    reportRetentionMs: number;
    auditLength: number;
    /** Last room messages kept with a report (0 = none). */
    reportEvidenceMessages: number;
    /** Where each report and automatic ban is POSTed, off the event's path. */
    reportWebhook?: { url: string; timeoutMs: number; attempts: number; retryMs: number; queueLimit: number };
    ipHashSalt: string | undefined;
  };
  reconnectGraceMs: number;
  reconnectMissedMaxBytes: number;
  ice: {
    stunServers: string[];
    turnServer?: string;
    turnUsername?: string;
    turnCredential?: string;
    turnSecret?: string;
    turnTtlSeconds: number;
  };
  redis: {
    url?: string;
    heartbeatMs: number;
    deadAfterMs: number;
    commandTimeoutMs: number;
  };
  /** The moderator API and page; absent unless ADMIN_TOKENS is set. */
  admin?: {
    /** Bearer tokens; the name is the actor recorded in the audit log. */
    tokens: { name: string; token: string }[];
    rate: RateBudget;
    pageLimit: number;
  };
  metricsToken?: string;
  shutdownTimeoutMs: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  serveDemo: boolean;
  safety: {
    ageGate: Env['AGE_GATE'];
    banMode: Env['BAN_MODE'];
    botCheck: {
      provider: Env['BOT_CHECK'];
      mode: Env['BOT_CHECK_MODE'];
      powCost: number;
      secret?: string;
      siteKey?: string;
      verifyUrl?: string;
      timeoutMs: number;
      passTtlSeconds: number;
      challengeTtlSeconds: number;
      suspectConnectionsPerMinute: number;
      suspectSeconds: number;
    };
    messageFilter: Env['MESSAGE_FILTER'];
    moderationHook?: { url: string; timeoutMs: number; failMode: Env['MODERATION_HOOK_FAIL'] };
    iceRelayOnly: boolean;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

function parseOrigins(value: string): '*' | string[] {
  return value === '*' ? '*' : splitList(value);
}

function parseAdminTokens(value: string): { name: string; token: string }[] {
  return value.split(',').map((pair) => {
    const [name, token] = pair.trim().split(':') as [string, string];
    return { name, token };
  });
}

function describeProblems(error: z.ZodError, env: Record<string, string | undefined>): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const field = envSchema.shape[name as keyof typeof envSchema.shape];
    return `${name}=${JSON.stringify(env[name])} is invalid: expected ${field?.description ?? issue.message}`;
  });
}

/** Reads and validates the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(describeProblems(parsed.error, env));
  const e = parsed.data;
  const problems: string[] = [];
  if (e.NODE_DEAD_AFTER_MS <= e.NODE_HEARTBEAT_MS) problems.push('NODE_DEAD_AFTER_MS must be greater than NODE_HEARTBEAT_MS');
  if (e.ICE_RELAY_ONLY && !e.TURN_SERVER) problems.push('ICE_RELAY_ONLY=true needs a TURN_SERVER');
  if ((e.BOT_CHECK === 'turnstile' || e.BOT_CHECK === 'hcaptcha') && !e.BOT_CHECK_SECRET)
    problems.push(`BOT_CHECK=${e.BOT_CHECK} needs BOT_CHECK_SECRET`);
  if (e.BOT_CHECK === 'pow' && e.REDIS_URL && !e.BOT_CHECK_SECRET)
    problems.push('BOT_CHECK=pow with REDIS_URL needs BOT_CHECK_SECRET: challenges and passes must verify on every node');
  if (e.TRUST_PROXY === 'true')
    problems.push(
      'TRUST_PROXY=true is refused: it believes any X-Forwarded-For a client sends; give the hop count (1 behind one Nginx) or the proxy addresses (e.g. loopback)',
    );
  if (e.NODE_ENV === 'production' && e.REDIS_URL && !e.IP_HASH_SALT)
    problems.push(
      'IP_HASH_SALT is required in production with REDIS_URL: without it each node hashes IPs its own way and IP bans do not hold across nodes or restarts',
    );
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'development' ? 'debug' : 'info'),
    logLevelExplicit: e.LOG_LEVEL !== undefined,
    corsOrigins: parseOrigins(e.CORS_ORIGIN),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    limits: {
      events: { points: e.RATE_LIMIT_POINTS, durationSeconds: e.RATE_LIMIT_DURATION },
      joins: { points: e.JOIN_RATE_LIMIT_POINTS, durationSeconds: e.JOIN_RATE_LIMIT_DURATION },
      messages: { points: e.MESSAGE_RATE_LIMIT_POINTS, durationSeconds: e.MESSAGE_RATE_LIMIT_DURATION },
      disconnectAfterRefusals: e.RATE_LIMIT_DISCONNECT_AFTER,
      connectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
      connectionRate: { points: e.CONNECTION_RATE_LIMIT_POINTS, durationSeconds: e.CONNECTION_RATE_LIMIT_DURATION },
      maxConnections: e.MAX_CONNECTIONS,
      connectTimeoutMs: e.CONNECT_TIMEOUT_MS,
      addressJoins: { points: e.ADDRESS_JOIN_RATE_LIMIT_POINTS, durationSeconds: e.ADDRESS_JOIN_RATE_LIMIT_DURATION },
      refusalLogIntervalMs: e.REFUSAL_LOG_INTERVAL_MS,
      http: { points: e.HTTP_RATE_LIMIT_POINTS, durationSeconds: e.HTTP_RATE_LIMIT_DURATION },
      maxHttpBufferSize: e.MAX_HTTP_BUFFER_SIZE,
      maxMessageLength: e.MAX_MESSAGE_LENGTH,
      maxSdpBytes: e.MAX_SDP_BYTES,
      maxIceCandidateLength: e.MAX_ICE_CANDIDATE_LENGTH,
    },
    messageHistoryLimit: e.MESSAGE_HISTORY_LIMIT,
    userCountIntervalMs: e.USER_COUNT_INTERVAL_MS,
    healthCacheMs: e.HEALTH_CACHE_MS,
    matching: {
      interestTimeoutMs: e.MATCH_INTEREST_TIMEOUT_MS,
      rematchCooldownMs: e.REMATCH_COOLDOWN_MS,
      scanLimit: e.MATCH_SCAN_LIMIT,
      localPreferenceMs: e.MATCH_LOCAL_PREFERENCE_MS,
    },
    moderation: {
      banReportThreshold: e.BAN_REPORT_THRESHOLD,
      banWindowMs: e.BAN_WINDOW_MS,
      banDurationMs: e.BAN_DURATION_MS,
      banIpReportThreshold: e.BAN_IP_REPORT_THRESHOLD,
      reportMinRoomMs: e.REPORT_MIN_ROOM_MS,
      reportRetentionMs: e.REPORT_RETENTION_MS,
      auditLength: e.AUDIT_LOG_LENGTH,
      reportEvidenceMessages: e.REPORT_EVIDENCE_MESSAGES,
      reportWebhook: e.REPORT_WEBHOOK_URL
        ? {
            url: e.REPORT_WEBHOOK_URL,
            timeoutMs: e.REPORT_WEBHOOK_TIMEOUT_MS,
            attempts: e.REPORT_WEBHOOK_ATTEMPTS,
            retryMs: e.REPORT_WEBHOOK_RETRY_MS,
            queueLimit: e.REPORT_WEBHOOK_QUEUE_LIMIT,
          }
        : undefined,
      ipHashSalt: e.IP_HASH_SALT,
    },
    reconnectGraceMs: e.RECONNECT_GRACE_MS,
    reconnectMissedMaxBytes: e.RECONNECT_MISSED_MAX_BYTES,
    ice: {
      stunServers: [e.STUN_SERVER_1, e.STUN_SERVER_2].filter((url): url is string => Boolean(url)),
      turnServer: e.TURN_SERVER,
      turnUsername: e.TURN_USERNAME,
      turnCredential: e.TURN_CREDENTIAL,
      turnSecret: e.TURN_SECRET,
      turnTtlSeconds: e.TURN_TTL_SECONDS,
    },
    redis: {
      url: e.REDIS_URL,
      heartbeatMs: e.NODE_HEARTBEAT_MS,
      deadAfterMs: e.NODE_DEAD_AFTER_MS,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    },
    admin: e.ADMIN_TOKENS
      ? {
          tokens: parseAdminTokens(e.ADMIN_TOKENS),
          rate: { points: e.ADMIN_RATE_LIMIT_POINTS, durationSeconds: e.ADMIN_RATE_LIMIT_DURATION },
          pageLimit: e.ADMIN_PAGE_LIMIT,
        }
      : undefined,
    metricsToken: e.METRICS_TOKEN,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    pingIntervalMs: e.PING_INTERVAL_MS,
    pingTimeoutMs: e.PING_TIMEOUT_MS,
    serveDemo: e.SERVE_DEMO,
    safety: {
      ageGate: e.AGE_GATE,
      banMode: e.BAN_MODE,
      botCheck: {
        provider: e.BOT_CHECK,
        mode: e.BOT_CHECK_MODE,
        powCost: e.BOT_CHECK_POW_COST,
        secret: e.BOT_CHECK_SECRET,
        siteKey: e.BOT_CHECK_SITE_KEY,
        verifyUrl: e.BOT_CHECK_VERIFY_URL,
        timeoutMs: e.BOT_CHECK_TIMEOUT_MS,
        passTtlSeconds: e.BOT_PASS_TTL_SECONDS,
        challengeTtlSeconds: e.BOT_CHECK_CHALLENGE_TTL_SECONDS,
        suspectConnectionsPerMinute: e.BOT_CHECK_SUSPECT_CONNECTIONS,
        suspectSeconds: e.BOT_CHECK_SUSPECT_SECONDS,
      },
      messageFilter: e.MESSAGE_FILTER,
      moderationHook: e.MODERATION_HOOK_URL
        ? { url: e.MODERATION_HOOK_URL, timeoutMs: e.MODERATION_HOOK_TIMEOUT_MS, failMode: e.MODERATION_HOOK_FAIL }
        : undefined,
      iceRelayOnly: e.ICE_RELAY_ONLY,
    },
  });
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);

/** Valid but risky combinations; the entry point logs each once at start-up. */
export function configWarnings(config: Pick<Config, 'trustProxy' | 'host'>): string[] {
  const trustsProxy = config.trustProxy !== false && config.trustProxy !== 0;
  if (!trustsProxy || !WILDCARD_HOSTS.has(config.host)) return [];
  return [
    `TRUST_PROXY is set but HOST=${config.host}: anyone who reaches this port directly can forge X-Forwarded-For past the per-IP limits; bind HOST=127.0.0.1 or an address only the proxy reaches`,
  ];
}
