import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { clientIp, compileTrust } from '../../src/client-ip';
import { ConfigError, configWarnings, loadConfig } from '../../src/config';

/** `NAME=value` lines of env.example, comments skipped. */
function readEnvExample(): Array<[string, string]> {
  const text = readFileSync(path.resolve(__dirname, '../../env.example'), 'utf8');
  return text
    .split(/\r?\n/)
    .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1]!, match[2]!]);
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

describe('env.example', () => {
  const example = readEnvExample();

  test('lists the limits the security issue names', () => {
    const names = example.map(([name]) => name);
    expect(names.length).toBeGreaterThan(30);
    expect(new Set(names).size).toBe(names.length);
    for (const name of [
      'CORS_ORIGIN',
      'TRUST_PROXY',
      'RATE_LIMIT_POINTS',
      'RATE_LIMIT_DURATION',
      'JOIN_RATE_LIMIT_POINTS',
      'JOIN_RATE_LIMIT_DURATION',
      'MESSAGE_RATE_LIMIT_POINTS',
      'MESSAGE_RATE_LIMIT_DURATION',
      'RATE_LIMIT_DISCONNECT_AFTER',
      'MAX_CONNECTIONS_PER_IP',
      'CONNECTION_RATE_LIMIT_POINTS',
      'CONNECTION_RATE_LIMIT_DURATION',
      'MAX_CONNECTIONS',
      'CONNECT_TIMEOUT_MS',
      'ADDRESS_JOIN_RATE_LIMIT_POINTS',
      'ADDRESS_JOIN_RATE_LIMIT_DURATION',
      'HTTP_RATE_LIMIT_POINTS',
      'HTTP_RATE_LIMIT_DURATION',
      'MAX_HTTP_BUFFER_SIZE',
      'MAX_MESSAGE_LENGTH',
      'MAX_SDP_BYTES',
      'MAX_ICE_CANDIDATE_LENGTH',
    ]) {
      expect(names).toContain(name);
    }
  });

  test.each(example)('%s=%s is accepted on its own', (name, value) => {
    expect(() => loadConfig({ [name]: value })).not.toThrow();
  });

  test('the whole file is accepted at once', () => {
    expect(() => loadConfig(Object.fromEntries(example))).not.toThrow();
  });

  test('the security limits shown are the defaults', () => {
    const defaults = loadConfig({});
    const fromExample = loadConfig(Object.fromEntries(example));
    expect(fromExample.limits).toEqual(defaults.limits);
    expect(defaults.limits).toEqual({
      events: { points: 100, durationSeconds: 60 },
      joins: { points: 10, durationSeconds: 60 },
      messages: { points: 30, durationSeconds: 10 },
      disconnectAfterRefusals: 30,
      connectionsPerIp: 20,
      connectionRate: { points: 60, durationSeconds: 60 },
      maxConnections: 10000,
      connectTimeoutMs: 5000,
      addressJoins: { points: 60, durationSeconds: 60 },
      refusalLogIntervalMs: 10000,
      http: { points: 300, durationSeconds: 60 },
      maxHttpBufferSize: 64 * 1024,
      maxMessageLength: 2000,
      maxSdpBytes: 64 * 1024,
      maxIceCandidateLength: 2048,
    });
    expect(defaults.corsOrigins).toBe('*');
    expect(defaults.trustProxy).toBe(false);
  });

  test('every value shown is the default (LOG_LEVEL empty: its default depends on NODE_ENV)', () => {
    expect(loadConfig(Object.fromEntries(example))).toEqual(loadConfig({}));
    expect(Object.fromEntries(example).LOG_LEVEL).toBe('');
  });
});

describe('invalid values', () => {
  test('one ConfigError names every bad variable and what it accepts', () => {
    const problems = problemsOf({
      PORT: '70000',
      NODE_ENV: 'staging',
      RATE_LIMIT_POINTS: '0',
      MAX_HTTP_BUFFER_SIZE: 'lots',
      MAX_MESSAGE_LENGTH: '-5',
      SERVE_DEMO: 'maybe',
      TRUST_PROXY: '$(rm -rf /)',
      LOG_LEVEL: 'loud',
      MESSAGE_HISTORY_LIMIT: '1.5',
    });
    const expected: Record<string, string> = {
      PORT: 'a port number 0-65535',
      NODE_ENV: 'development, production or test',
      RATE_LIMIT_POINTS: 'a positive integer',
      MAX_HTTP_BUFFER_SIZE: 'a positive integer',
      MAX_MESSAGE_LENGTH: 'a positive integer',
      SERVE_DEMO: 'true or false',
      TRUST_PROXY: 'false, a hop count',
      LOG_LEVEL: 'error, warn, info',
      MESSAGE_HISTORY_LIMIT: 'a non-negative integer',
    };
    expect(problems).toHaveLength(Object.keys(expected).length);
    for (const [name, accepts] of Object.entries(expected)) {
      const problem = problems.find((line) => line.startsWith(`${name}=`));
      expect(problem).toBeDefined();
      expect(problem).toContain(accepts);
    }
  });

  test('the message quotes the bad value and lists every problem', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'http', RATE_LIMIT_DURATION: '0' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const { message, name } = caught as ConfigError;
    expect(name).toBe('ConfigError');
    expect(message).toContain('PORT="http"');
    expect(message).toContain('RATE_LIMIT_DURATION="0"');
  });

  test.each([
    ['RATE_LIMIT_DURATION', '0'],
    ['JOIN_RATE_LIMIT_POINTS', '-1'],
    ['MESSAGE_RATE_LIMIT_POINTS', 'ten'],
    ['RATE_LIMIT_DISCONNECT_AFTER', '2.5'],
    ['MAX_CONNECTIONS_PER_IP', '0'],
    ['CONNECTION_RATE_LIMIT_POINTS', '1e'],
    ['HTTP_RATE_LIMIT_POINTS', '0'],
    ['MAX_SDP_BYTES', '0'],
    ['MAX_ICE_CANDIDATE_LENGTH', 'x'],
  ])('%s=%s is refused', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
  });

  test('cross-field rule: NODE_DEAD_AFTER_MS must exceed NODE_HEARTBEAT_MS', () => {
    expect(problemsOf({ NODE_HEARTBEAT_MS: '5000', NODE_DEAD_AFTER_MS: '5000' })).toEqual([
      expect.stringContaining('NODE_DEAD_AFTER_MS'),
    ]);
  });

  test('empty strings mean unset, so the default applies', () => {
    const config = loadConfig({ RATE_LIMIT_POINTS: '', CORS_ORIGIN: '', TRUST_PROXY: '' });
    expect(config.limits.events.points).toBe(100);
    expect(config.corsOrigins).toBe('*');
    expect(config.trustProxy).toBe(false);
  });

  test('the config is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('CORS_ORIGIN', () => {
  test.each([
    ['*', '*'],
    ['https://good.example', ['https://good.example']],
    [' https://a.example , https://b.example ,, ', ['https://a.example', 'https://b.example']],
    ['https://a.example,http://localhost:3000', ['https://a.example', 'http://localhost:3000']],
  ])('%j parses to %j', (value, expected) => {
    expect(loadConfig({ CORS_ORIGIN: value }).corsOrigins).toEqual(expected);
  });

  test('a whitespace-only value is refused, naming the variable', () => {
    expect(problemsOf({ CORS_ORIGIN: '   ' })).toEqual([expect.stringContaining('CORS_ORIGIN')]);
  });

  test.each(['example.com', 'https://a.example,b.example', 'localhost:3000', 'https://a.example/', 'https://a.example/app'])(
    '%j (an entry without a scheme, or with a path) is refused: it could never match an Origin header',
    (value) => {
      expect(problemsOf({ CORS_ORIGIN: value })).toEqual([expect.stringMatching(/^CORS_ORIGIN=.*with their scheme/)]);
    },
  );
});

describe('cluster security', () => {
  const cluster = { NODE_ENV: 'production', REDIS_URL: 'redis://127.0.0.1:6379' };

  test('production with REDIS_URL and no IP_HASH_SALT is refused', () => {
    expect(problemsOf(cluster)).toEqual([expect.stringMatching(/^IP_HASH_SALT is required in production with REDIS_URL/)]);
    expect(problemsOf({ ...cluster, IP_HASH_SALT: '  ' })).toEqual([expect.stringContaining('IP_HASH_SALT is required')]);
  });

  test('with a salt, or outside production, or without Redis, it starts', () => {
    expect(() => loadConfig({ ...cluster, IP_HASH_SALT: 'secret' })).not.toThrow();
    expect(() => loadConfig({ ...cluster, NODE_ENV: 'development' })).not.toThrow();
    expect(() => loadConfig({ NODE_ENV: 'production' })).not.toThrow();
  });

  test.each([
    [{ TRUST_PROXY: '1' }, 1],
    [{ TRUST_PROXY: 'loopback', HOST: '::' }, 1],
    [{ TRUST_PROXY: '1', HOST: '127.0.0.1' }, 0],
    [{ TRUST_PROXY: 'false' }, 0],
    [{ TRUST_PROXY: '0' }, 0],
  ])('TRUST_PROXY behind a wildcard HOST warns: %j → %i warning(s)', (env, count) => {
    const warnings = configWarnings(loadConfig(env));
    expect(warnings).toHaveLength(count);
    for (const warning of warnings) expect(warning).toMatch(/forge X-Forwarded-For/);
  });
});

describe('TRUST_PROXY', () => {
  test.each([
    ['false', false],
    ['0', 0],
    ['1', 1],
    ['2', 2],
    ['loopback', 'loopback'],
    ['127.0.0.1', '127.0.0.1'],
    ['10.0.0.0/8, 192.168.0.1', '10.0.0.0/8, 192.168.0.1'],
    ['::1', '::1'],
  ])('%j parses to %j', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  test.each(['$HOME', 'a;b', '"x"', 'true false?', 'yes', 'on', 'nginx', '10.0.0.0/99', '127.0.0.1, bogus'])(
    '%j is refused with the config message, not a stack trace',
    (value) => {
      expect(problemsOf({ TRUST_PROXY: value })).toEqual([expect.stringContaining('TRUST_PROXY')]);
    },
  );

  test('true is refused with a message asking for a hop count or the proxy addresses', () => {
    const [problem] = problemsOf({ TRUST_PROXY: 'true' });
    expect(problem).toMatch(/TRUST_PROXY=true is refused/);
    expect(problem).toMatch(/hop count/);
    expect(problem).toMatch(/proxy addresses/);
  });

  function request(remoteAddress: string, forwardedFor?: string): IncomingMessage {
    return {
      headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
      socket: { remoteAddress },
      connection: { remoteAddress },
    } as unknown as IncomingMessage;
  }

  test.each([
    // [TRUST_PROXY, peer address, X-Forwarded-For, client IP the limits see]
    ['false', '203.0.113.9', '1.2.3.4', '203.0.113.9'],
    ['false', '127.0.0.1', '1.2.3.4, 5.6.7.8', '127.0.0.1'],
    ['1', '127.0.0.1', '1.2.3.4, 5.6.7.8', '5.6.7.8'],
    ['2', '127.0.0.1', '1.2.3.4, 5.6.7.8', '1.2.3.4'],
    ['loopback', '127.0.0.1', '9.9.9.9', '9.9.9.9'],
    ['loopback', '203.0.113.9', '9.9.9.9', '203.0.113.9'],
    ['10.0.0.0/8', '10.1.2.3', '198.51.100.7', '198.51.100.7'],
    ['10.0.0.0/8', '10.1.2.3', '6.6.6.6, 198.51.100.7', '198.51.100.7'],
    ['1', '127.0.0.1', undefined, '127.0.0.1'],
  ] as const)('TRUST_PROXY=%s, peer %s, X-Forwarded-For %j → %s', (trust, peer, forwarded, expected) => {
    const compiled = compileTrust(loadConfig({ TRUST_PROXY: trust }).trustProxy);
    expect(clientIp(request(peer, forwarded), compiled)).toBe(expected);
  });
});
