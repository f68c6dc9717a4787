import { connectClient, eventually, pairClients, waitFor } from '../helpers/clients';
import { useModes } from '../helpers/modes';
import type { TestServer } from '../helpers/server';

const modes = useModes();
let srv: TestServer | undefined;

async function scrape(url: string, token?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: response.status, text: await response.text() };
}

describe('/metrics says which gauges are per node and which cluster-wide', () => {
  test('memory mode: connected sockets per node, waiting users and rooms cluster-wide', async () => {
    srv = await modes.server();
    await pairClients(srv.url);
    const waiter = await connectClient(srv.url);
    const waiting = waitFor(waiter, 'waiting_for_partner');
    waiter.emit('join', { type: 'video' });
    await waiting;
    const { status, text } = await scrape(srv.url);
    expect(status).toBe(200);
    expect(text).toMatch(/^chat_connected_sockets\{scope="node"\} 3$/m);
    expect(text).toMatch(/^chat_active_rooms\{scope="cluster",type="chat"\} 1$/m);
    expect(text).toMatch(/^chat_waiting_users\{scope="cluster",type="video"\} 1$/m);
    expect(text).toMatch(/^chat_cluster_figures_up 1$/m);
  });

  test('Redis down: /metrics still answers 200 with the local figures; cluster-wide gauges are dropped', async () => {
    [srv] = await modes.cluster(1, { NODE_DEAD_AFTER_MS: '2000' });
    await pairClients(srv.url);
    const before = await scrape(srv.url);
    expect(before.text).toMatch(/^chat_active_rooms\{scope="cluster",type="chat"\} 1$/m);
    expect(before.text).toMatch(/^chat_cluster_figures_up 1$/m);

    await modes.redis.stop();
    let during = { status: 0, text: '' };
    await eventually(
      async () => {
        during = await scrape(srv!.url);
        return /^chat_cluster_figures_up 0$/m.test(during.text);
      },
      10000,
      { what: 'cluster figures marked down' },
    );
    expect(during.status).toBe(200);
    expect(during.text).toMatch(/^chat_connected_sockets\{scope="node"\} 2$/m);
    expect(during.text).toMatch(/^chat_matches_total 1$/m);
    expect(during.text).toMatch(/^process_resident_memory_bytes /m);
    expect(during.text).not.toMatch(/^chat_active_rooms\{/m);
    expect(during.text).not.toMatch(/^chat_waiting_users\{/m);
    // Liveness is about the process: a Redis outage makes /health 503, never /live.
    expect((await fetch(`${srv.url}/live`)).status).toBe(200);
    expect((await fetch(`${srv.url}/health`)).status).toBe(503);
    await modes.redis.restart();
    await eventually(async () => (await fetch(`${srv!.url}/health`)).status === 200, 10000, { everyMs: 100, what: 'Redis back' });
    expect((await scrape(srv.url)).text).toMatch(/^chat_cluster_figures_up 1$/m);
  }, 30000);
});

describe('HTTP rate limit and monitoring endpoints', () => {
  const LIMITED = { HTTP_RATE_LIMIT_POINTS: '2', HTTP_RATE_LIMIT_DURATION: '600' };

  test('a scraper with METRICS_TOKEN is never rate limited; other paths still are', async () => {
    srv = await modes.server({ ...LIMITED, METRICS_TOKEN: 'scrape-me' });
    for (let i = 0; i < 6; i += 1) expect((await scrape(srv.url, 'scrape-me')).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await fetch(`${srv.url}/stats`)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  test('a wrong token, or an open /metrics, stays under the limit', async () => {
    srv = await modes.server({ ...LIMITED, METRICS_TOKEN: 'scrape-me' });
    const wrong = [];
    for (let i = 0; i < 3; i += 1) wrong.push((await scrape(srv.url, 'guess')).status);
    expect(wrong).toEqual([401, 401, 429]);
    await srv.close();
    srv = await modes.server(LIMITED);
    const open = [];
    for (let i = 0; i < 3; i += 1) open.push((await scrape(srv.url)).status);
    expect(open).toEqual([200, 200, 429]);
  });

  test('GET /live answers about the process and is never rate limited', async () => {
    srv = await modes.server(LIMITED);
    for (let i = 0; i < 4; i += 1) expect((await fetch(`${srv.url}/live`)).status).toBe(200);
    expect(await (await fetch(`${srv.url}/live`)).json()).toEqual({ status: 'ok', uptime: expect.any(Number) });
  });
});
