import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** Docker does not run on the CI machines: these check what the files say, not a running stack. */
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const SHUTDOWN_TIMEOUT_S = 10;

interface ComposeService {
  image?: string;
  build?: string;
  command?: string | string[];
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  networks?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
}

interface Compose {
  services: Record<string, ComposeService>;
  networks: Record<string, { internal?: boolean }>;
  volumes: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const nodes = ['node1', 'node2'] as const;

describe('docker-compose.yml', () => {
  test('Redis with persistence on a volume, two nodes and Nginx', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['nginx', 'node1', 'node2', 'redis']);
    const redis = compose.services.redis!;
    expect(redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(redis.volumes).toEqual([expect.stringMatching(/^redis-data:\/data$/)]);
    expect(compose.volumes).toHaveProperty('redis-data');
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  test('only Nginx publishes a port; nodes and Redis are on an internal network only the proxy joins', () => {
    const published = Object.entries(compose.services).filter(([, service]) => service.ports?.length);
    expect(published.map(([name]) => name)).toEqual(['nginx']);
    expect(compose.services.nginx!.ports).toEqual(['80:80']);
    expect(compose.networks.backend?.internal).toBe(true);
    for (const name of [...nodes, 'redis']) expect(compose.services[name]!.networks).toEqual(['backend']);
    expect(compose.services.nginx!.networks).toEqual(expect.arrayContaining(['frontend', 'backend']));
  });

  test.each(nodes)('%s: the image, a cluster environment that fails safe, liveness health check', (name) => {
    const node = compose.services[name]!;
    expect(node.build).toBe('.');
    expect(node.environment).toMatchObject({
      NODE_ENV: 'production',
      REDIS_URL: 'redis://redis:6379',
      TRUST_PROXY: '1',
      HOST: name,
    });
    // Compose refuses to start without a salt instead of each node inventing one.
    expect(node.environment!.IP_HASH_SALT).toMatch(/^\$\{IP_HASH_SALT:\?.+\}$/);
    expect(node.healthcheck?.test).toEqual(['CMD', 'node', 'deploy/docker/healthcheck.js']);
    expect(node.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(parseInt(node.stop_grace_period!, 10)).toBeGreaterThan(Number(node.environment!.SHUTDOWN_TIMEOUT_MS) / 1000);
  });

  test('Nginx runs the shipped deploy/nginx.conf with only the upstream addresses changed', () => {
    const nginx = compose.services.nginx!;
    expect(nginx.volumes).toEqual(['./deploy/nginx.conf:/etc/nginx/random-chat.conf:ro']);
    const script = (nginx.command as string[]).join(' ');
    const shipped = read('deploy/nginx.conf');
    const upstreams = [...script.matchAll(/s\/([\d.:]+)\/node\d:3000\//g)].map((match) => match[1]!);
    expect(upstreams).toEqual(['127.0.0.1:3001', '127.0.0.1:3002']);
    for (const upstream of upstreams) expect(shipped).toContain(`server ${upstream} max_fails=0;`);
    expect(script.match(/node[12]:3000/g)).toEqual(['node1:3000', 'node2:3000']);
    expect(nginx.depends_on).toEqual({ node1: { condition: 'service_healthy' }, node2: { condition: 'service_healthy' } });
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = (keyword: string) => dockerfile.split('\n').filter((line) => line.startsWith(`${keyword} `));

  test('multi-stage on a current LTS base, non-root, runs node dist/index.js', () => {
    const bases = instructions('FROM');
    expect(bases.length).toBe(2);
    for (const base of bases) expect(base).toMatch(/^FROM node:(22|24)(-slim|-alpine)?\b/);
    expect(instructions('USER')).toEqual(['USER node']);
    expect(instructions('CMD')).toEqual(['CMD ["node", "dist/index.js"]']);
    expect(instructions('STOPSIGNAL')).toEqual(['STOPSIGNAL SIGTERM']);
  });

  test('HEALTHCHECK is the liveness check, not /health', () => {
    expect(instructions('HEALTHCHECK')).toEqual([expect.stringMatching(/CMD \["node", "deploy\/docker\/healthcheck\.js"\]$/)]);
    expect(read('deploy/docker/healthcheck.js')).toMatch(/\/live`/);
  });
});

describe('systemd unit', () => {
  const unit = read('deploy/random-chat-backend@.service');
  const settings = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((match) => match[1]);

  test('runs node directly as an unprivileged user, stopped with SIGTERM after the drain deadline', () => {
    expect(settings('ExecStart')).toEqual(['/usr/bin/node dist/index.js']);
    expect(settings('KillSignal')).toEqual(['SIGTERM']);
    expect(Number(settings('TimeoutStopSec')[0])).toBeGreaterThan(SHUTDOWN_TIMEOUT_S);
    expect(settings('User')[0]).not.toBe('root');
  });

  test('the operator’s .env is read after the defaults, so it wins', () => {
    const lines = unit.split('\n');
    const lastDefault = Math.max(...lines.map((line, index) => (line.startsWith('Environment=') ? index : -1)));
    expect(lines.findIndex((line) => line.startsWith('EnvironmentFile='))).toBeGreaterThan(lastDefault);
    expect(settings('Environment')).toEqual(expect.arrayContaining(['HOST=127.0.0.1', 'TRUST_PROXY=loopback']));
  });
});
