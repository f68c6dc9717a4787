import { loadConfig } from '../../src/config';
import { createServer } from '../../src/server';
import { closeAllClients, connectClient, pairClients, refusalOf, waitFor } from '../helpers/clients';
import { startChildServer, type ChildServer } from '../helpers/child-server';
import { getJson, startTestServer, whileDraining, type TestServer } from '../helpers/server';

describe('metrics and readiness', () => {
  let srv: TestServer;
  afterEach(async () => {
    await closeAllClients();
    await srv.close();
  });

  test('GET /metrics exposes the service figures in Prometheus format', async () => {
    srv = await startTestServer();
    const { a, b, roomId } = await pairClients(srv.url);
    a.emit('send_message', { roomId, message: 'hi' });
    await waitFor(b, 'new_message');
    await refusalOf(a, 'send_message', { roomId: 'elsewhere', message: 'x' });
    const response = await fetch(`${srv.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^chat_connected_sockets\{scope="node"\} 2$/m);
    expect(text).toMatch(/^chat_active_rooms\{scope="cluster",type="chat"\} 1$/m);
    expect(text).toMatch(/^chat_waiting_users\{scope="cluster",type="video"\} 0$/m);
    expect(text).toMatch(/^chat_matches_total 1$/m);
    expect(text).toMatch(/^chat_messages_relayed_total 1$/m);
    expect(text).toMatch(/^chat_refusals_total\{code="NOT_IN_ROOM"\} 1$/m);
    expect(text).toMatch(/^chat_match_wait_seconds_count 2$/m);
    expect(text).toMatch(/^chat_cluster_repairs_total\{kind="dead_node"\} 0$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
  });

  test('METRICS_TOKEN protects /metrics', async () => {
    srv = await startTestServer({ METRICS_TOKEN: 'scrape-me' });
    expect((await fetch(`${srv.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${srv.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${srv.url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } })).status).toBe(200);
  });

  test('/health and /ready answer 200 when serving and 503 over HTTP once draining', async () => {
    srv = await startTestServer();
    expect(await getJson(`${srv.url}/health`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await getJson(`${srv.url}/ready`)).toMatchObject({ status: 200, body: { ready: true } });
    const { url } = srv;
    await whileDraining(srv.server, async () => {
      expect(await getJson(`${url}/health`)).toMatchObject({ status: 503, body: { status: 'draining' } });
      expect(await getJson(`${url}/ready`)).toMatchObject({ status: 503, body: { ready: false, reason: 'shutting down' } });
    });
  });

  test('clients get server_shutdown with a reconnect hint when the server drains', async () => {
    srv = await startTestServer();
    const client = await connectClient(srv.url);
    const told = waitFor(client, 'server_shutdown');
    void srv.server.close();
    expect((await told).reconnectAfterMs).toBeGreaterThan(0);
  });
});

describe('graceful shutdown of the real entry point', () => {
  // startChildServer kills every child it started at the end of each test.
  let child: ChildServer | undefined;
  afterEach(closeAllClients);

  test('SIGTERM tells every client and partner, then exits 0 within the deadline', async () => {
    child = await startChildServer({ SHUTDOWN_TIMEOUT_MS: '5000' });
    const { url, exited } = child;
    const { a, b } = await pairClients(url);
    const waiter = await connectClient(url);
    waiter.emit('join', { type: 'video' });
    await waitFor(waiter, 'waiting_for_partner');
    const everyoneTold = Promise.all([a, b, waiter].map((client) => waitFor(client, 'server_shutdown')));
    const partnersTold = Promise.all([a, b].map((client) => waitFor(client, 'partner_disconnected')));
    const started = Date.now();
    child.process.kill('SIGTERM');
    await everyoneTold;
    expect((await partnersTold).map((p) => p.reason)).toEqual(['shutdown', 'shutdown']);
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  }, 60000);
});

test('/ready says starting until the server listens', async () => {
  const server = createServer(loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0' }));
  expect(server.stats.readiness()).toEqual({ ready: false, reason: 'starting' });
  await server.listen();
  expect(server.stats.readiness()).toEqual({ ready: true });
  await server.close();
});
