import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startRedis, type RedisServer } from '../helpers/redis';

/**
 * The entry point tells a process manager it is ready (PM2's wait_ready: process.send('ready'))
 * only once it listens and, in a cluster, reaches Redis, so a rolling restart never moves on to
 * the next node while this one cannot serve.
 */
const ENTRY = path.join(__dirname, '../../src/index.ts');
const START_DEADLINE_MS = 80000;

let child: ChildProcess | undefined;
let redis: RedisServer | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await redis?.stop();
  redis = undefined;
});

interface ManagedChild {
  /** Resolves with the /ready status seen the moment the child said 'ready'. */
  ready: Promise<number>;
  saidReady: () => boolean;
}

/** The entry point with an IPC channel, as PM2 runs it. */
function startManaged(env: Record<string, string>): ManagedChild {
  child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', ENTRY], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let said = false;
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 'ready' within ${START_DEADLINE_MS} ms:\n${output}`)), START_DEADLINE_MS);
    child!.once('exit', (code) => reject(new Error(`exited with ${code} before 'ready':\n${output}`)));
    child!.on('message', (message) => {
      if (message !== 'ready') return;
      said = true;
      clearTimeout(timer);
      const port = /"port":(\d+)/.exec(output)?.[1];
      fetch(`http://127.0.0.1:${port}/ready`).then((response) => resolve(response.status), reject);
    });
  });
  return { ready, saidReady: () => said };
}

test('memory mode: ready is signalled once the server listens and answers /ready 200', async () => {
  expect(await startManaged({}).ready).toBe(200);
}, 90000);

test('cluster: no ready while Redis is unreachable; ready once it is there', async () => {
  redis = await startRedis();
  await redis.stop();
  const managed = startManaged({ REDIS_URL: redis.url, IP_HASH_SALT: 'test-salt' });
  // Listening, and told Redis is unreachable: the process keeps quiet to PM2.
  let output = '';
  await new Promise<void>((resolve) =>
    child!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('server listening') && output.includes('redis connection failed')) resolve();
    }),
  );
  expect(managed.saidReady()).toBe(false);
  await redis.restart();
  expect(await managed.ready).toBe(200);
}, 120000);
