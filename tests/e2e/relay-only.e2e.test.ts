/**
 * ICE_RELAY_ONLY in the browser: a coturn (Debian's `coturn` package) on loopback with its own
 * config in a temp dir, and one video call of the demo page that must connect through it.
 * Run with `npm run test:e2e`; refuses clearly when turnserver is not installed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../helpers/loopback';
import { MEDIA_MS, callWorks, pair, useDemoSuite, type Win } from './support';

const TURNSERVER = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';
const TURN_SECRET = 'e2e-turn-secret';

let turn: ChildProcess | undefined;
let turnPort: number;
let turnDir: string;

/** Starts coturn on 127.0.0.1 with TURN REST auth, and resolves once it listens. */
async function startCoturn(port: number): Promise<ChildProcess> {
  turnDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coturn-'));
  const args = [
    '-n',
    `--listening-ip=127.0.0.1`,
    `--relay-ip=127.0.0.1`,
    `--listening-port=${port}`,
    '--use-auth-secret',
    `--static-auth-secret=${TURN_SECRET}`,
    '--realm=e2e.test',
    '--allow-loopback-peers',
    '--no-cli',
    '--no-tls',
    '--no-dtls',
    '--no-stun',
    '--log-file=stdout',
    '--simple-log',
    `--pidfile=${path.join(turnDir, 'turnserver.pid')}`,
    `--db=${path.join(turnDir, 'turndb')}`,
  ];
  const child = spawn(TURNSERVER, args, { cwd: turnDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coturn did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Total (UDP|General) servers|IPv4\. (UDP|TCP) listener opened/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`coturn exited with ${code}:\n${output}`));
    });
  });
  return child;
}

// Declared before useDemoSuite: coturn runs before the demo server that names it starts.
beforeAll(async () => {
  if (!fs.existsSync(TURNSERVER)) throw new Error(`${TURNSERVER} not found: apt-get install -y coturn`);
  turnPort = await freePort();
  turn = await startCoturn(turnPort);
});
const suite = useDemoSuite({ env: () => ({ ICE_RELAY_ONLY: 'true', TURN_SERVER: `127.0.0.1:${turnPort}`, TURN_SECRET }) });
// After the suite's own afterAll: coturn stops once the browser and the server are closed.
afterAll(() => {
  turn?.kill('SIGTERM');
  if (turnDir) fs.rmSync(turnDir, { recursive: true, force: true });
});

test('relay-only video: the call connects through TURN and both sides use relay candidates only', async () => {
  const a = await suite.session.open('A');
  const b = await suite.session.open('B');
  await pair(a, b, 'video');

  const connected = () => (globalThis as Win).__demo.pc?.connectionState === 'connected';
  await Promise.all([
    a.waitForFunction(connected, null, { timeout: MEDIA_MS }),
    b.waitForFunction(connected, null, { timeout: MEDIA_MS }),
  ]);

  // The pair in use, and every candidate the page learnt of its partner, are relay candidates.
  const candidateTypes = async () => {
    const pc = (globalThis as Win).__demo.pc;
    const stats: any[] = [];
    (await pc.getStats()).forEach((report: any) => stats.push(report));
    const byId = new Map(stats.map((report) => [report.id, report]));
    const transport = stats.find((report) => report.type === 'transport');
    const selected = byId.get(transport?.selectedCandidatePairId);
    return {
      policy: pc.getConfiguration().iceTransportPolicy,
      local: byId.get(selected?.localCandidateId)?.candidateType,
      remote: byId.get(selected?.remoteCandidateId)?.candidateType,
      remoteTypes: stats.filter((report) => report.type === 'remote-candidate').map((report) => report.candidateType),
    };
  };
  for (const page of [a, b]) {
    const types = await page.evaluate(candidateTypes);
    expect(types.policy).toBe('relay');
    expect(types.local).toBe('relay');
    expect(types.remote).toBe('relay');
    expect(types.remoteTypes.length).toBeGreaterThan(0);
    expect(new Set(types.remoteTypes)).toEqual(new Set(['relay']));
  }

  await Promise.all([callWorks(a), callWorks(b)]);
});
