import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ChildServer {
  process: ChildProcess;
  url: string;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
}

const ENTRY = path.join(__dirname, '../../src/index.ts');
const START_DEADLINE_MS = 15000;

/**
 * The real entry point (src/index.ts, signals and all) in a child process on 127.0.0.1 and a free
 * port, for tests that send signals or kill -9. Resolves once it logs the port it listens on.
 */
export function startChildServer(env: Record<string, string>): Promise<ChildServer> {
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
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child server did not start within deadline')), START_DEADLINE_MS);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/"port":(\d+)/);
      if (!match) return;
      clearTimeout(timer);
      resolve({ process: child, url: `http://127.0.0.1:${match[1]}`, exited });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child server exited early with ${code}: ${output.slice(-2000)}`));
    });
  });
}
