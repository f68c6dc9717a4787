import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ChildServer {
  process: ChildProcess;
  url: string;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
}

const ENTRY = path.join(__dirname, '../../src/index.ts');
// ts-node compiles the whole server on start: on a loaded CI machine that alone can take many seconds.
const START_DEADLINE_MS = 30000;

/** Every child still running; each test's end kills them, whatever the test itself did. */
const running = new Set<ChildProcess>();

/** SIGKILL to the child's whole process group (it leads one), so nothing it started outlives it. */
function killGroup(child: ChildProcess): void {
  running.delete(child);
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL'); // the group is already gone; make sure the child is too
  }
}

afterEach(() => [...running].forEach(killGroup));
// A jest worker that exits early (a crash, a timeout) still takes its children with it.
process.once('exit', () => [...running].forEach(killGroup));

export interface ChildServerOptions {
  /** How long to wait for the child to listen before killing it. */
  startDeadlineMs?: number;
}

/**
 * The real entry point (src/index.ts, signals and all) in a child process on 127.0.0.1 and a free
 * port, for tests that send signals or kill -9. Resolves once it logs the port it listens on; a
 * child that does not start within the deadline is killed, and the promise rejects once it is gone.
 */
export function startChildServer(
  env: Record<string, string>,
  { startDeadlineMs = START_DEADLINE_MS }: ChildServerOptions = {},
): Promise<ChildServer> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', ENTRY], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      IP_HASH_SALT: 'test-salt',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    let output = '';
    let state: 'starting' | 'started' | 'given up' = 'starting';
    const timer = setTimeout(() => {
      state = 'given up';
      killGroup(child);
      void exited.then(() =>
        reject(
          new Error(`child server (pid ${child.pid}) did not start within ${startDeadlineMs} ms, killed: ${output.slice(-2000)}`),
        ),
      );
    }, startDeadlineMs);
    // Both pipes are read to the end, so a chatty child never blocks on a full pipe.
    child.stdout!.on('data', (chunk: Buffer) => {
      if (state !== 'starting') return;
      output += chunk.toString();
      const match = output.match(/"port":(\d+)/);
      if (!match) return;
      state = 'started';
      clearTimeout(timer);
      resolve({ process: child, url: `http://127.0.0.1:${match[1]}`, exited });
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (state === 'starting') output += chunk.toString();
    });
    void exited.then((code) => {
      if (state !== 'starting') return;
      clearTimeout(timer);
      reject(new Error(`child server exited early with ${code}: ${output.slice(-2000)}`));
    });
  });
}
