import type { ServerResponse } from 'node:http';
import { eventually, expectNoEvent, pairClients, record, refusalOf, waitFor } from '../helpers/clients';
import { useTestServer } from '../helpers/server';
import { metricValue, replyJson, startStubServer, type StubServer } from '../helpers/stub-http';

/** The hook decides by the message's first word; "hold" answers only when the test releases it. */
let hook: StubServer;
const held: Array<() => void> = [];
beforeAll(async () => {
  hook = await startStubServer((request, response: ServerResponse) => {
    const { text } = JSON.parse(request.body) as { text: string };
    const [word] = text.split(' ');
    if (word === 'reject') replyJson(response, { action: 'reject' });
    else if (word === 'replace') replyJson(response, { action: 'replace', text: '[removed]' });
    else if (word === 'fail') replyJson(response, { error: 'down' }, 500);
    else if (word === 'nonsense') replyJson(response, { action: 'maybe' });
    else if (word === 'slow')
      return; // never answers: the timeout decides
    else if (word === 'hold') held.push(() => replyJson(response, { action: 'allow' }));
    else replyJson(response, { action: 'allow' });
  });
});
afterAll(() => hook.close());

async function delivered(srv: { url: string }, message: string) {
  const { a, b, roomId } = await pairClients(srv.url);
  const atB = waitFor(b, 'new_message');
  a.emit('send_message', { roomId, message });
  return { a, b, roomId, text: (await atB).text };
}

async function rejected(srv: { url: string }, message: string) {
  const { a, b, roomId } = await pairClients(srv.url);
  const nothing = Promise.all([expectNoEvent(b, 'new_message'), expectNoEvent(a, 'new_message')]);
  expect(await refusalOf(a, 'send_message', { roomId, message })).toMatchObject({
    code: 'MESSAGE_REJECTED',
    event: 'send_message',
  });
  await nothing;
}

describe('MESSAGE_FILTER=contact', () => {
  const srv = useTestServer({ MESSAGE_FILTER: 'contact' });

  test('contact details are refused, delivered to nobody, and counted per reason', async () => {
    await rejected(srv, 'write to me: kim@example.com');
    await rejected(srv, 'snap: kim_99');
    expect(await metricValue(srv.url, 'chat_messages_rejected_total', 'reason="email"')).toBe(1);
    expect(await metricValue(srv.url, 'chat_messages_rejected_total', 'reason="handle"')).toBe(1);
    expect(await metricValue(srv.url, 'chat_messages_rejected_total', 'reason="url"')).toBe(0);
  });

  test('ordinary messages still flow', async () => {
    expect((await delivered(srv, 'hello, where are you from?')).text).toBe('hello, where are you from?');
  });
});

describe('MESSAGE_FILTER off (the default)', () => {
  const srv = useTestServer();

  test('contact details are delivered as before', async () => {
    expect((await delivered(srv, 'kim@example.com')).text).toBe('kim@example.com');
  });
});

describe('MODERATION_HOOK_URL, failing closed', () => {
  // The stub's url is known only once it listens, so each test restarts its server with it.
  const srv = useTestServer();
  beforeEach(() =>
    srv.restart({
      MESSAGE_FILTER: 'contact',
      MODERATION_HOOK_URL: `${hook.url}/hook`,
      MODERATION_HOOK_FAIL: 'closed',
      MODERATION_HOOK_TIMEOUT_MS: '1500',
    }),
  );

  test('the hook sees {roomId, senderId, text} after the filter; allow delivers', async () => {
    hook.requests.length = 0;
    const { a, roomId, text } = await delivered(srv, 'allow this one');
    expect(text).toBe('allow this one');
    expect(hook.requests.map((r) => JSON.parse(r.body))).toEqual([
      { roomId, senderId: a.session.userId, text: 'allow this one' },
    ]);
    await rejected(srv, 'allow kim@example.com');
    expect(hook.requests).toHaveLength(1); // the filter refused it before the hook was asked
    expect(await metricValue(srv.url, 'chat_moderation_hook_decisions_total', 'outcome="allow"')).toBe(1);
    expect(await (await fetch(`${srv.url}/metrics`)).text()).toMatch(/^chat_moderation_hook_seconds_count 1$/m);
  });

  test('reject refuses, replace delivers the replacement to both sides', async () => {
    await rejected(srv, 'reject me');
    const { a, b, roomId } = await pairClients(srv.url);
    const atA = waitFor(a, 'new_message');
    const atB = waitFor(b, 'new_message');
    a.emit('send_message', { roomId, message: 'replace me' });
    expect((await atB).text).toBe('[removed]');
    expect((await atA).text).toBe('[removed]');
    expect(await metricValue(srv.url, 'chat_moderation_hook_decisions_total', 'outcome="reject"')).toBe(1);
    expect(await metricValue(srv.url, 'chat_moderation_hook_decisions_total', 'outcome="replace"')).toBe(1);
    expect(await metricValue(srv.url, 'chat_messages_rejected_total', 'reason="hook"')).toBe(1);
  });

  test('a slow, failing or nonsensical hook refuses the message', async () => {
    await rejected(srv, 'slow message');
    await rejected(srv, 'fail message');
    await rejected(srv, 'nonsense message');
    expect(await metricValue(srv.url, 'chat_moderation_hook_decisions_total', 'outcome="failed_closed"')).toBe(3);
  });

  test("one socket's messages keep their order, and a held message never stalls another room", async () => {
    await srv.restart({ MODERATION_HOOK_URL: `${hook.url}/hook`, MODERATION_HOOK_TIMEOUT_MS: '20000' });
    const one = await pairClients(srv.url);
    const two = await pairClients(srv.url);
    const atOneB = record(one.b, 'new_message');
    one.a.emit('send_message', { roomId: one.roomId, message: 'hold first' });
    one.a.emit('send_message', { roomId: one.roomId, message: 'second' });
    const otherRoom = waitFor(two.b, 'new_message');
    await eventually(() => held.length === 1, 5000, { what: 'the hook holding the first message' });
    two.a.emit('send_message', { roomId: two.roomId, message: 'meanwhile' });
    expect((await otherRoom).text).toBe('meanwhile');
    expect(atOneB).toEqual([]);
    for (const release of held.splice(0)) release();
    await waitFor(one.b, 'new_message', 5000, (m) => m.text === 'second');
    expect(atOneB.map((m) => m.text)).toEqual(['hold first', 'second']);
  });
});

describe('MODERATION_HOOK_FAIL=open (the default)', () => {
  const srv = useTestServer();
  beforeEach(() => srv.restart({ MODERATION_HOOK_URL: `${hook.url}/hook`, MODERATION_HOOK_TIMEOUT_MS: '1500' }));

  test('a slow or failing hook lets the message through, counted as failed_open', async () => {
    expect((await delivered(srv, 'slow but fine')).text).toBe('slow but fine');
    expect((await delivered(srv, 'fail but fine')).text).toBe('fail but fine');
    expect(await metricValue(srv.url, 'chat_moderation_hook_decisions_total', 'outcome="failed_open"')).toBe(2);
  });
});
