import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface Pm2App {
  name: string;
  cwd: string;
  script: string;
  exec_mode: string;
  wait_ready: boolean;
  listen_timeout: number;
  kill_timeout: number;
  time: boolean;
  env: Record<string, string>;
}

const ROOT = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pm2Apps } = require('../../deploy/pm2/apps') as { pm2Apps: (env: NodeJS.ProcessEnv, rootDir: string) => Pm2App[] };

/** What PM2 gets when it requires ecosystem.config.js from a shell with `shellEnv`. */
function ecosystemAppsWith(shellEnv: Record<string, string>): Pm2App[] {
  const saved = process.env;
  process.env = { PATH: saved.PATH, ...shellEnv };
  try {
    let apps: Pm2App[] = [];
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      apps = (require('../../ecosystem.config.js') as { apps: Pm2App[] }).apps;
    });
    return apps;
  } finally {
    process.env = saved;
  }
}

/** The environment a process would see: PM2 lays the app's env over the shell's. */
function processEnv(shellEnv: Record<string, string>, app: Pm2App): Record<string, string> {
  return { ...shellEnv, ...app.env };
}

describe('ecosystem.config.js: the operator wins', () => {
  test('single profile: PORT and NODE_ENV from the shell are kept; unset ones are filled in', () => {
    const [app, ...rest] = ecosystemAppsWith({ PORT: '23000', NODE_ENV: 'development' });
    expect(rest).toEqual([]);
    expect(processEnv({ PORT: '23000', NODE_ENV: 'development' }, app!)).toMatchObject({
      PORT: '23000',
      NODE_ENV: 'development',
    });
    const [defaults] = ecosystemAppsWith({});
    expect(defaults!.env).toEqual({ NODE_ENV: 'production', PORT: '3000' });
  });

  test('cluster profile: REDIS_URL, TRUST_PROXY, NODE_ENV and HOST from the shell are kept', () => {
    const shell = {
      CHAT_PROFILE: 'cluster',
      REDIS_URL: 'redis://10.0.0.5:6380',
      TRUST_PROXY: '10.0.0.0/8',
      NODE_ENV: 'development',
      HOST: '10.0.0.7',
    };
    const apps = ecosystemAppsWith(shell);
    expect(apps.map((app) => app.name)).toEqual(['random-chat-backend-1', 'random-chat-backend-2']);
    for (const app of apps) expect(processEnv(shell, app)).toMatchObject(shell);
    expect(apps.map((app) => app.env.PORT)).toEqual(['3001', '3002']);
  });

  test('cluster profile defaults bind nodes to loopback, trust only a loopback proxy, and set no salt', () => {
    const apps = ecosystemAppsWith({ CHAT_PROFILE: 'cluster', CHAT_CLUSTER_PORTS: '4001, 4002,4003' });
    expect(apps.map((app) => app.env)).toEqual(
      ['4001', '4002', '4003'].map((PORT) => ({
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        TRUST_PROXY: 'loopback',
        REDIS_URL: 'redis://127.0.0.1:6379',
        PORT,
      })),
    );
  });

  describe('.env beside the file', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'ecosystem-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    test('values in .env are not overridden (dotenv never overrides what PM2 passes)', () => {
      writeFileSync(path.join(dir, '.env'), 'REDIS_URL=redis://from-dotenv:6379\nNODE_ENV=development\nPORT=24000\n');
      const [single] = pm2Apps({}, dir);
      expect(single!.env).toEqual({});
      const cluster = pm2Apps({ CHAT_PROFILE: 'cluster' }, dir);
      for (const app of cluster) {
        expect(app.env.REDIS_URL).toBeUndefined();
        expect(app.env.NODE_ENV).toBeUndefined();
        expect(app.cwd).toBe(dir);
      }
    });

    test('the shell beats .env, as for dotenv itself', () => {
      writeFileSync(path.join(dir, '.env'), 'SHUTDOWN_TIMEOUT_MS=1000\n');
      expect(pm2Apps({}, dir)[0]!.kill_timeout).toBe(6000);
      expect(pm2Apps({ SHUTDOWN_TIMEOUT_MS: '30000' }, dir)[0]!.kill_timeout).toBe(35000);
    });
  });
});

describe('ecosystem.config.js: process settings', () => {
  test.each<Record<string, string>>([{}, { CHAT_PROFILE: 'cluster' }])(
    '%j: node dist/index.js, one PM2 cluster-mode instance per app (reload without a gap), ready handshake, plain JSON logs',
    (shell) => {
      for (const app of ecosystemAppsWith(shell)) {
        expect(app).toMatchObject({
          script: 'dist/index.js',
          exec_mode: 'cluster',
          instances: 1,
          wait_ready: true,
          time: false,
          cwd: ROOT,
        });
        expect(app.listen_timeout).toBeGreaterThan(0);
      }
    },
  );

  test('kill_timeout stays above SHUTDOWN_TIMEOUT_MS, the default or the operator’s', () => {
    expect(ecosystemAppsWith({})[0]!.kill_timeout).toBeGreaterThan(10000);
    expect(ecosystemAppsWith({ SHUTDOWN_TIMEOUT_MS: '60000' })[0]!.kill_timeout).toBeGreaterThan(60000);
  });
});
