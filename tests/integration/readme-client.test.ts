import { readFileSync } from 'node:fs';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { eventually } from '../helpers/clients';
import { useModes } from '../helpers/modes';

/** The code block under "### A minimal client" in README.md, exactly as an operator reads it. */
function readmeClientCode(): string {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### A minimal client'));
  const code = /```javascript\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('README.md has no javascript block under "A minimal client"');
  return code;
}

interface ReadmeClient {
  socket: Socket;
  rooms: string[];
}

const clients: ReadmeClient[] = [];

/** Runs the README's code with `io` bound to `url` (it names http://localhost:3000) and a quiet console. */
function startReadmeClient(url: string): ReadmeClient {
  const code = readmeClientCode();
  expect(code).toContain("io('http://localhost:3000'");
  const quiet = { log: () => {}, warn: () => {} };
  // Fast reconnects keep the test short; the README's own options are kept as given.
  const ioAt = (_url: string, options: object) => io(url, { ...options, reconnectionDelay: 100, reconnectionDelayMax: 500 });
  const socket = new Function('io', 'console', `${code}\nreturn socket;`)(ioAt, quiet) as Socket;
  const client = { socket, rooms: [] as string[] };
  socket.on('partner_found', ({ roomId }: { roomId: string }) => client.rooms.push(roomId));

  clients.push(client);
  return client;
}

// Declared before useModes: the README clients (which reconnect) go before their servers.
afterEach(() => {
  for (const { socket } of clients.splice(0)) socket.disconnect();
});
const modes = useModes();

const PAIRS = 3;
const everyonePaired = (group: ReadmeClient[], times: number) => () =>
  group.every((client) => client.rooms.length >= times && client.socket.connected);

test('memory mode: the README client is paired again after its server restarts on the same port', async () => {
  const first = await modes.server();
  const group = Array.from({ length: PAIRS * 2 }, () => startReadmeClient(first.url));
  await eventually(everyonePaired(group, 1), 10000, { what: 'first pairing' });

  const again = await modes.restart(first);
  await eventually(everyonePaired(group, 2), 15000, { everyMs: 50, what: 'pairing again after the restart' });
  const { activeRooms } = (await (await fetch(`${again.url}/stats`)).json()) as { activeRooms: { chat: number } };
  expect(activeRooms.chat).toBe(PAIRS);
}, 40000);

test('cluster: clients of a restarted node are paired again, and their partners on the other node too', async () => {
  const [one, two] = await modes.cluster(2, { NODE_DEAD_AFTER_MS: '2000' });
  const onOne = startReadmeClient(one.url);
  await eventually(() => onOne.socket.connected && onOne.rooms.length === 0, 5000, { what: 'first client waiting' });
  const group = [onOne, startReadmeClient(two.url)];
  await eventually(everyonePaired(group, 1), 10000, { what: 'pairing across nodes' });

  await modes.restart(one);
  await eventually(everyonePaired(group, 2), 15000, { everyMs: 50, what: 'pairing again after node one restarted' });
}, 40000);
