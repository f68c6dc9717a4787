import { createHmac } from 'node:crypto';
import { closeAllClients, connectClient, expectNoEvent, pairClients, record, refusalOf, waitFor } from '../helpers/clients';
import { getJson, startTestServer, type TestServer } from '../helpers/server';

let srv: TestServer;
afterEach(async () => {
  await closeAllClients();
  await srv?.close();
});

const offer = { type: 'offer' as const, sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n' };
const answer = { type: 'answer' as const, sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\n' };
const candidate = {
  candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'abcd',
};

describe('video signalling', () => {
  beforeEach(async () => {
    srv = await startTestServer({ STUN_SERVER_1: 'stun:stun.example.org:3478' });
  });

  test('partner_found for video carries one initiator and the ICE servers', async () => {
    const { foundA, foundB } = await pairClients(srv.url, 'video');
    expect(foundA.type).toBe('video');
    expect([foundA.initiator, foundB.initiator].sort()).toEqual([false, true]);
    expect(foundA.initiator).toBe(true); // the one who waited longer makes the offer
    expect(foundA.iceServers).toEqual([{ urls: 'stun:stun.example.org:3478' }]);
    expect(foundB.iceServers).toEqual(foundA.iceServers);
  });

  test('offer, answer and candidates reach the partner only, unchanged and in order', async () => {
    const { a, b, roomId } = await pairClients(srv.url, 'video');
    const noEcho = Promise.all([expectNoEvent(a, 'offer'), expectNoEvent(a, 'ice_candidate')]);
    const candidatesAtB = record(b, 'ice_candidate');
    const gotOffer = waitFor(b, 'offer');
    a.emit('offer', { roomId, offer });
    expect(await gotOffer).toEqual({ offer });
    const gotAnswer = waitFor(a, 'answer');
    // From the moment it is sent, so a copy back to the sender would land inside the window.
    const answerNoEcho = expectNoEvent(b, 'answer');
    b.emit('answer', { roomId, answer });
    expect(await gotAnswer).toEqual({ answer });
    const lastCandidate = waitFor(b, 'ice_candidate', 5000, (p) => p.candidate.sdpMLineIndex === 9);
    for (let i = 0; i < 10; i += 1) a.emit('ice_candidate', { roomId, candidate: { ...candidate, sdpMLineIndex: i } });
    await lastCandidate;
    expect(candidatesAtB.map((p) => p.candidate.sdpMLineIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(candidatesAtB[0]).toEqual({ candidate: { ...candidate, sdpMLineIndex: 0 } });
    await Promise.all([noEcho, answerNoEcho]);
    const { body } = await getJson(`${srv.url}/stats`);
    expect(body.signalsRelayed).toBe(12);
  });

  test('malformed and oversize signalling is refused and not relayed', async () => {
    await srv.close();
    srv = await startTestServer({ MAX_SDP_BYTES: '1024', MAX_ICE_CANDIDATE_LENGTH: '100' });
    const { a, b, roomId } = await pairClients(srv.url, 'video');
    const quiet = Promise.all([
      expectNoEvent(b, 'offer', 500),
      expectNoEvent(b, 'answer', 500),
      expectNoEvent(b, 'ice_candidate', 500),
    ]);
    const bad: [string, unknown][] = [
      ['offer', { roomId, offer: { type: 'answer', sdp: 'x' } }],
      ['offer', { roomId, offer: { type: 'offer', sdp: 'x'.repeat(1025) } }],
      ['offer', { roomId, offer: { type: 'offer', sdp: 42 } }],
      ['offer', { roomId }],
      ['answer', { roomId, answer: { type: 'offer', sdp: 'x' } }],
      ['ice_candidate', { roomId, candidate: { candidate: 'c'.repeat(101) } }],
      ['ice_candidate', { roomId, candidate: { candidate: 'ok', sdpMLineIndex: -1 } }],
      ['ice_candidate', { roomId, candidate: 'not an object' }],
      ['ice_candidate', 'not an object'],
    ];
    for (const [event, payload] of bad) {
      expect(await refusalOf(a, event, payload)).toMatchObject({ code: 'INVALID_PAYLOAD', event });
    }
    await quiet;
  });

  test('signalling for a room the socket is not in is refused', async () => {
    const { a, b, roomId } = await pairClients(srv.url, 'video');
    const intruder = await connectClient(srv.url);
    const quiet = Promise.all([expectNoEvent(a, 'offer'), expectNoEvent(b, 'offer'), expectNoEvent(b, 'ice_candidate')]);
    for (const [event, payload] of [
      ['offer', { roomId, offer }],
      ['answer', { roomId, answer }],
      ['ice_candidate', { roomId, candidate }],
    ] as const) {
      expect(await refusalOf(intruder, event, payload)).toMatchObject({ code: 'NOT_IN_ROOM', event });
    }
    await quiet;
  });

  test('when a video partner leaves, the other is told at once', async () => {
    const { a, b, roomId } = await pairClients(srv.url, 'video');
    const told = waitFor(b, 'partner_disconnected');
    a.emit('leave_room', { roomId });
    expect(await told).toEqual({ reason: 'left' });
    const told2 = waitFor(a, 'waiting_for_partner');
    a.emit('join', { type: 'video' });
    await told2;
  });
});

describe('ICE servers', () => {
  test('static STUN and TURN credentials from the seed variables', async () => {
    srv = await startTestServer({
      STUN_SERVER_1: 'stun:stun.l.google.com:19302',
      STUN_SERVER_2: 'stun:stun1.l.google.com:19302',
      TURN_SERVER: 'turn.example.com:3478',
      TURN_USERNAME: 'user',
      TURN_CREDENTIAL: 'pass',
    });
    const expected = [
      { urls: 'stun:stun.l.google.com:19302' },
      { urls: 'stun:stun1.l.google.com:19302' },
      { urls: 'turn:turn.example.com:3478', username: 'user', credential: 'pass' },
    ];
    const { foundA } = await pairClients(srv.url, 'video');
    expect(foundA.iceServers).toEqual(expected);
    expect(foundA.iceTransportPolicy).toBeUndefined();
  });

  test('GET /ice-servers, open to anyone, lists STUN only: TURN credentials go to matched video users', async () => {
    srv = await startTestServer({
      STUN_SERVER_1: 'stun:stun.l.google.com:19302',
      TURN_SERVER: 'turn.example.com:3478',
      TURN_SECRET: 's3cret',
    });
    const { status, body } = await getJson(`${srv.url}/ice-servers`);
    expect(status).toBe(200);
    expect(body).toEqual({ iceServers: [{ urls: 'stun:stun.l.google.com:19302' }] });
  });

  test('TURN_SECRET hands out short-lived TURN REST credentials per user (10 minutes by default)', async () => {
    srv = await startTestServer({
      TURN_SERVER: 'turns:turn.example.com:5349',
      TURN_SECRET: 's3cret',
      TURN_USERNAME: 'static',
    });
    const before = Math.floor(Date.now() / 1000);
    const { a, b, foundA, foundB } = await pairClients(srv.url, 'video');
    const turn = foundA.iceServers!.find((server) => String(server.urls).startsWith('turns:'))!;
    const [expiry, userId] = turn.username!.split(':');
    expect(userId).toBe(a.session.userId);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
    expect(Number(expiry)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 600);
    expect(turn.credential).toBe(createHmac('sha1', 's3cret').update(turn.username!).digest('base64'));
    const partnerTurn = foundB.iceServers!.find((server) => String(server.urls).startsWith('turns:'))!;
    expect(partnerTurn.username!.split(':')[1]).toBe(b.session.userId);
  });

  test('no ICE servers configured gives an empty list', async () => {
    srv = await startTestServer();
    const { body } = await getJson(`${srv.url}/ice-servers`);
    expect(body.iceServers).toEqual([]);
  });
});
