import type { ServerResponse } from 'node:http';
import { connectClient, connectRefused, eventually, joinAndWait, pairClients, waitFor } from '../helpers/clients';
import { fetchAndSolve, solvePow } from '../helpers/bot-check';
import { useModes } from '../helpers/modes';
import { getJson, startTestServer } from '../helpers/server';
import { metricValue, replyJson, startStubServer, type StubServer } from '../helpers/stub-http';

const POW_ENV = { BOT_CHECK: 'pow', BOT_CHECK_POW_COST: '300' };

const modes = useModes();
const start = modes.server;

const checks = (url: string, result: string) => metricValue(url, 'chat_bot_checks_total', `result="${result}"`);

describe('BOT_CHECK=pow', () => {
  test('GET /bot-check/challenge hands out a fresh ALTCHA challenge of the configured cost', async () => {
    const { url } = await start(POW_ENV);
    const { status, body, headers } = await getJson(`${url}/bot-check/challenge`);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toEqual({
      algorithm: 'SHA-256',
      challenge: expect.any(String),
      maxnumber: 300,
      salt: expect.stringContaining('expires='),
      signature: expect.any(String),
    });
    expect((await getJson(`${url}/bot-check/challenge`)).body.challenge).not.toBe(body.challenge);
  });

  test('no proof is refused at the handshake with BOT_CHECK_REQUIRED', async () => {
    const { url } = await start(POW_ENV);
    const refusal = await connectRefused(url);
    expect(refusal.data?.code).toBe('BOT_CHECK_REQUIRED');
    expect(await checks(url, 'required')).toBe(1);
  });

  test('a solved challenge admits once and earns a bot pass; a reused or wrong proof is BOT_CHECK_FAILED', async () => {
    const { url } = await start(POW_ENV);
    const proof = await fetchAndSolve(url);
    const client = await connectClient(url, { auth: { botProof: proof } });
    expect(client.session.botPass).toEqual(expect.any(String));
    expect((await connectRefused(url, { auth: { botProof: proof } })).data?.code).toBe('BOT_CHECK_FAILED');
    const challenge = (await getJson(`${url}/bot-check/challenge`)).body;
    const right = JSON.parse(Buffer.from(await solvePow(challenge), 'base64').toString()).number as number;
    const wrong = await solvePow(challenge, (right + 1) % 301);
    expect((await connectRefused(url, { auth: { botProof: wrong } })).data?.code).toBe('BOT_CHECK_FAILED');
    expect((await connectRefused(url, { auth: { botProof: 'garbage' } })).data?.code).toBe('BOT_CHECK_FAILED');
    expect(await checks(url, 'passed')).toBe(1);
    expect(await checks(url, 'failed')).toBe(3);
  });

  test('the bot pass readmits on reconnects from the same address, not from another', async () => {
    const { url } = await start({ ...POW_ENV, TRUST_PROXY: 'loopback' });
    const first = await connectClient(url, {
      auth: { botProof: await fetchAndSolve(url) },
      extraHeaders: { 'X-Forwarded-For': '198.51.100.1' },
    });
    const botPass = first.session.botPass!;
    first.disconnect();
    const again = await connectClient(url, { auth: { botPass }, extraHeaders: { 'X-Forwarded-For': '198.51.100.1' } });
    expect(again.session.botPass).toBe(botPass);
    const elsewhere = await connectRefused(url, { auth: { botPass }, extraHeaders: { 'X-Forwarded-For': '198.51.100.2' } });
    expect(elsewhere.data?.code).toBe('BOT_CHECK_REQUIRED');
    expect((await connectRefused(url, { auth: { botPass: `${botPass}x` } })).data?.code).toBe('BOT_CHECK_REQUIRED');
    expect(await checks(url, 'pass_accepted')).toBe(1);
    // an admitted socket chats as usual
    const partner = await connectClient(url, { auth: { botPass }, extraHeaders: { 'X-Forwarded-For': '198.51.100.1' } });
    const found = waitFor(again, 'partner_found');
    again.emit('join', { type: 'chat' });
    await waitFor(again, 'waiting_for_partner');
    await joinAndWait(partner, { type: 'chat' });
    await found;
  });

  test('in a cluster a proof spent on one node is refused on another, and the pass works on both', async () => {
    const [one, two] = await modes.cluster(2, { ...POW_ENV, BOT_CHECK_SECRET: 'shared-secret' });
    const proof = await fetchAndSolve(one.url);
    const client = await connectClient(one.url, { auth: { botProof: proof } });
    expect((await connectRefused(two.url, { auth: { botProof: proof } })).data?.code).toBe('BOT_CHECK_FAILED');
    const onTwo = await connectClient(two.url, { auth: { botPass: client.session.botPass } });
    expect(onTwo.session.botPass).toBe(client.session.botPass);
    // a challenge from node two is good on node one
    await connectClient(one.url, { auth: { botProof: await fetchAndSolve(two.url) } });
  });

  test('start-up refuses pow in a cluster without a shared BOT_CHECK_SECRET', async () => {
    await expect(startTestServer({ ...POW_ENV, REDIS_URL: 'redis://127.0.0.1:1' })).rejects.toThrow(/BOT_CHECK_SECRET/);
  });
});

describe('BOT_CHECK off (the default)', () => {
  test('anyone connects, no pass is handed out and there is no challenge route', async () => {
    const { url } = await start({});
    const client = await connectClient(url);
    expect(client.session.botPass).toBeUndefined();
    expect((await getJson(`${url}/bot-check/challenge`)).status).toBe(404);
    expect((await getJson(`${url}/client-config`)).body.botCheck).toBe('off');
  });
});

describe.each(['turnstile', 'hcaptcha'])('BOT_CHECK=%s', (provider) => {
  let verifier: StubServer;
  beforeAll(async () => {
    verifier = await startStubServer((request, response: ServerResponse) => {
      const form = new URLSearchParams(request.body);
      const token = form.get('response') ?? '';
      if (form.get('secret') !== 'widget-secret')
        replyJson(response, { success: false, 'error-codes': ['invalid-input-secret'] });
      else if (token.startsWith('good')) replyJson(response, { success: true });
      else if (token === 'broken') replyJson(response, { error: 'down' }, 500);
      else if (token === 'slow')
        return; // never answers: the timeout decides
      else replyJson(response, { success: false, 'error-codes': ['invalid-input-response'] });
    });
  });
  afterAll(() => verifier.close());

  const env = () => ({
    BOT_CHECK: provider,
    BOT_CHECK_SECRET: 'widget-secret',
    BOT_CHECK_SITE_KEY: 'site-key',
    BOT_CHECK_VERIFY_URL: `${verifier.url}/siteverify`,
    BOT_CHECK_TIMEOUT_MS: '1500',
  });

  test('a genuine widget token admits with a pass; the token is sent with the secret and works once', async () => {
    const { url } = await start(env());
    expect((await getJson(`${url}/client-config`)).body).toMatchObject({ botCheck: provider, botCheckSiteKey: 'site-key' });
    verifier.requests.length = 0;
    const client = await connectClient(url, { auth: { botProof: 'good-token-1' } });
    expect(client.session.botPass).toEqual(expect.any(String));
    expect(Object.fromEntries(new URLSearchParams(verifier.requests[0]!.body))).toMatchObject({
      secret: 'widget-secret',
      response: 'good-token-1',
    });
    expect((await connectRefused(url, { auth: { botProof: 'good-token-1' } })).data?.code).toBe('BOT_CHECK_FAILED');
    expect((await connectRefused(url)).data?.code).toBe('BOT_CHECK_REQUIRED');
  });

  test('a refused token, a failing verifier and a slow verifier are BOT_CHECK_FAILED', async () => {
    const { url } = await start(env());
    expect((await connectRefused(url, { auth: { botProof: 'forged' } })).data?.code).toBe('BOT_CHECK_FAILED');
    expect((await connectRefused(url, { auth: { botProof: 'broken' } })).data?.code).toBe('BOT_CHECK_FAILED');
    expect((await connectRefused(url, { auth: { botProof: 'slow' } })).data?.code).toBe('BOT_CHECK_FAILED');
    expect(await checks(url, 'failed')).toBe(1);
    expect(await checks(url, 'verifier_error')).toBe(2);
  });
});

describe('BOT_CHECK_MODE=suspicious', () => {
  const env = { ...POW_ENV, BOT_CHECK_MODE: 'suspicious', BOT_CHECK_SUSPECT_CONNECTIONS: '3' };

  test('an address is asked only once it connects too often; then a proof admits it', async () => {
    const { url } = await start(env);
    for (let i = 0; i < 3; i += 1) expect((await connectClient(url)).session.botPass).toBeUndefined();
    expect((await connectRefused(url)).data?.code).toBe('BOT_CHECK_REQUIRED');
    const admitted = await connectClient(url, { auth: { botProof: await fetchAndSolve(url) } });
    expect(admitted.session.botPass).toEqual(expect.any(String));
    expect(await checks(url, 'not_suspect')).toBe(3);
  });

  test('a reported address is asked from then on', async () => {
    const { url } = await start({ ...env, BOT_CHECK_SUSPECT_CONNECTIONS: '100' });
    const { a, b, roomId } = await pairClients(url);
    const ended = waitFor(b, 'partner_disconnected');
    a.emit('report', { roomId, reason: 'spam' });
    await ended;
    // The report is handled after the room ends; from then on the address must prove itself.
    await eventually(async () => (await connectRefused(url).catch(() => undefined))?.data?.code === 'BOT_CHECK_REQUIRED', 5000, {
      what: 'the reported address being asked for a bot check',
    });
  });

  test('an address whose socket was disconnected for repeated refusals is asked from then on', async () => {
    const { url } = await start({ ...env, BOT_CHECK_SUSPECT_CONNECTIONS: '100', RATE_LIMIT_DISCONNECT_AFTER: '2' });
    const client = await connectClient(url);
    const dropped = waitFor(client, 'disconnect');
    for (let i = 0; i < 3; i += 1) (client.emit as (event: string) => void)('no_such_event');
    await dropped;
    await eventually(async () => (await connectRefused(url).catch(() => undefined))?.data?.code === 'BOT_CHECK_REQUIRED', 5000, {
      what: 'the refused address being asked for a bot check',
    });
  });
});
