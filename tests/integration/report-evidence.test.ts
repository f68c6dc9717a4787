import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Report } from '../../src/domain/moderation';
import type { ModerationEvent } from '../../src/realtime/report-webhook';
import { closeAllClients, eventually, joinAndWait, waitFor } from '../helpers/clients';
import { ADMIN_TOKENS, admin, connectFrom, reportUser } from '../helpers/moderation';
import { startTestServer, type TestServer } from '../helpers/server';

const ENV = { ADMIN_TOKENS, REPORT_MIN_ROOM_MS: '0' };

/** A local moderation queue: answers each POST with the next status in `statuses` (then 200). */
async function startStub(
  statuses: number[] = [],
): Promise<{ url: string; received: ModerationEvent[]; close(): Promise<void>; server: Server }> {
  const received: ModerationEvent[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) received.push(JSON.parse(body) as ModerationEvent);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function webhookCount(url: string, outcome: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^chat_report_webhook_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
}

let srv: TestServer | undefined;
let stub: Awaited<ReturnType<typeof startStub>> | undefined;
afterEach(async () => {
  await closeAllClients();
  await srv?.close();
  await stub?.close();
  srv = stub = undefined;
});

test('REPORT_EVIDENCE_MESSAGES keeps the last messages with the report, until it is dismissed', async () => {
  srv = await startTestServer({ ...ENV, REPORT_EVIDENCE_MESSAGES: '2' });
  const victim = await connectFrom(srv.url, '127.0.0.10');
  const reporter = await connectFrom(srv.url, '127.0.0.2');
  const waiting = waitFor(victim, 'waiting_for_partner');
  victim.emit('join', { type: 'chat' });
  await waiting;
  const { roomId } = await joinAndWait(reporter, { type: 'chat' });
  for (const [socket, text] of [
    [victim, 'one'],
    [reporter, 'two'],
    [victim, 'three'],
  ] as const) {
    const delivered = waitFor(socket === victim ? reporter : victim, 'new_message');
    socket.emit('send_message', { roomId, message: text });
    await delivered;
  }
  await eventually(async () => (await srv!.server.services.rooms.history(roomId)).length === 3);
  const ended = waitFor(victim, 'partner_disconnected');
  reporter.emit('report', { roomId, reason: 'harassment' });
  await ended;

  const [report] = (await admin<{ reports: Report[] }>(srv.url, 'GET', '/reports')).body.reports;
  expect(report!.evidence!.map((message) => [message.text, message.sender])).toEqual([
    ['two', reporter.session.userId],
    ['three', victim.session.userId],
  ]);
  await admin(srv.url, 'POST', `/reports/${report!.id}/dismiss`);
  const [dismissed] = (await admin<{ reports: Report[] }>(srv.url, 'GET', '/reports?status=dismissed')).body.reports;
  expect(dismissed!.evidence).toBeUndefined();
});

test('without REPORT_EVIDENCE_MESSAGES no message is kept with a report', async () => {
  srv = await startTestServer(ENV);
  const victim = await connectFrom(srv.url, '127.0.0.10');
  await reportUser(srv.url, victim, '127.0.0.2');
  const [report] = (await admin<{ reports: Report[] }>(srv.url, 'GET', '/reports')).body.reports;
  expect(report).toBeDefined();
  expect(report!.evidence).toBeUndefined();
});

test('REPORT_WEBHOOK_URL receives each report and automatic ban, retried after failures', async () => {
  stub = await startStub([500, 503]);
  srv = await startTestServer({ ...ENV, BAN_REPORT_THRESHOLD: '1', REPORT_WEBHOOK_URL: stub.url, REPORT_WEBHOOK_RETRY_MS: '20' });
  const victim = await connectFrom(srv.url, '127.0.0.10');
  await reportUser(srv.url, victim, '127.0.0.2', { details: 'for the queue' });
  await eventually(() => stub!.received.length === 2);
  expect(stub.received).toEqual([
    { type: 'report', report: expect.objectContaining({ reportedId: victim.session.userId, details: 'for the queue' }) },
    { type: 'ban', ban: expect.objectContaining({ userId: victim.session.userId, actor: 'auto' }) },
  ]);
  expect(await webhookCount(srv.url, 'retried')).toBe(2);
  expect(await webhookCount(srv.url, 'delivered')).toBe(2);
});

test('a webhook that keeps failing is given up after REPORT_WEBHOOK_ATTEMPTS, counted, and blocks nothing', async () => {
  stub = await startStub(Array(100).fill(500));
  srv = await startTestServer({
    ...ENV,
    REPORT_WEBHOOK_URL: stub.url,
    REPORT_WEBHOOK_RETRY_MS: '10',
    REPORT_WEBHOOK_ATTEMPTS: '3',
  });
  const victim = await connectFrom(srv.url, '127.0.0.10');
  await reportUser(srv.url, victim, '127.0.0.2');
  await reportUser(srv.url, victim, '127.0.0.3');
  await eventually(async () => (await webhookCount(srv!.url, 'failed')) === 2);
  expect(await webhookCount(srv.url, 'retried')).toBe(4);
  expect((await admin(srv.url, 'GET', '/reports')).body.total).toBe(2);
});
