import type { ReportReason } from '../../src/contract/events';
import { connectClient, joinAndWait, waitFor, type TestClient } from './clients';

export const ALICE_TOKEN = 'alice-token-0123456789';
export const BOB_TOKEN = 'bob-token-0123456789ab';
/** ADMIN_TOKENS for two moderators, alice and bob. */
export const ADMIN_TOKENS = `alice:${ALICE_TOKEN},bob:${BOB_TOKEN}`;

/** A client whose connection comes from `localAddress` (any 127.0.0.0/8 address reaches loopback). */
export function connectFrom(url: string, localAddress: string): Promise<TestClient> {
  return connectClient(url, { localAddress } as Parameters<typeof connectClient>[1]);
}

/** Calls the moderator API with alice's token (or `token`), resolving status and JSON body. */
export async function admin<T = any>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  token: string | undefined = ALICE_TOKEN,
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${url}/admin${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

/**
 * The victim waits; a fresh reporter from `reporterAddress` (on `reporterUrl`, the victim's server
 * by default) is paired with it and reports. Resolves once the victim was told the room ended.
 */
export async function reportUser(
  url: string,
  victim: TestClient,
  reporterAddress: string,
  report: { reason?: ReportReason; details?: string } = {},
  reporterUrl = url,
): Promise<{ reporter: TestClient; roomId: string }> {
  const reporter = await connectFrom(reporterUrl, reporterAddress);
  const victimFound = waitFor(victim, 'partner_found');
  const waiting = waitFor(victim, 'waiting_for_partner');
  victim.emit('join', { type: 'chat' });
  await waiting;
  const { roomId } = await joinAndWait(reporter, { type: 'chat' });
  await victimFound;
  const ended = waitFor(victim, 'partner_disconnected');
  const payload = { roomId, reason: report.reason ?? 'spam', details: report.details };
  // On a Redis adapter partner_found can reach the client before its socket is in the room on the
  // server: a report refused NOT_IN_ROOM for that reason is sent again (ended bounds the wait).
  const resend = (error: { code: string }) => {
    if (error.code === 'NOT_IN_ROOM') setTimeout(() => reporter.emit('report', payload), 20);
  };
  reporter.on('error', resend);
  reporter.emit('report', payload);
  await ended.finally(() => reporter.off('error', resend));
  return { reporter, roomId };
}
