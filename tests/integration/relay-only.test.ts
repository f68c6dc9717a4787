import { expectNoEvent, pairClients, record, waitFor } from '../helpers/clients';
import { useModes } from '../helpers/modes';
import { getJson, startTestServer, type TestServer } from '../helpers/server';
import { metricValue } from '../helpers/stub-http';

const RELAY_ONLY_ENV = {
  ICE_RELAY_ONLY: 'true',
  STUN_SERVER_1: 'stun:stun.example.org:3478',
  TURN_SERVER: 'turn.example.org:3478',
  TURN_SECRET: 's3cret',
};

const host = 'candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host generation 0';
const srflx = 'candidate:3 1 udp 1686052607 203.0.113.7 61000 typ srflx raddr 192.168.1.20 rport 54321';
const relay = 'candidate:4 1 udp 41885439 198.51.100.9 50000 typ relay raddr 203.0.113.7 rport 61000';
const relaySeen = 'candidate:4 1 udp 41885439 198.51.100.9 50000 typ relay raddr 0.0.0.0 rport 0';
const sdpWith = (type: 'offer' | 'answer') => ({
  type,
  sdp: [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'c=IN IP4 203.0.113.7',
    `a=${host}`,
    `a=${srflx}`,
    `a=${relay}`,
    '',
  ].join('\r\n'),
});

const modes = useModes();
const start = (env: Record<string, string> = {}): Promise<TestServer> => modes.server({ ...RELAY_ONLY_ENV, ...env });

describe('ICE_RELAY_ONLY=true', () => {
  test('video partners get the relay policy and TURN only, with per-user credentials; chat gets neither', async () => {
    const srv = await start();
    const { a, foundA, foundB } = await pairClients(srv.url, 'video');
    for (const found of [foundA, foundB]) {
      expect(found.iceTransportPolicy).toBe('relay');
      expect(found.iceServers).toEqual([
        { urls: 'turn:turn.example.org:3478', username: expect.any(String), credential: expect.any(String) },
      ]);
    }
    expect(foundA.iceServers![0]!.username!.split(':')[1]).toBe(a.session.userId);
    const chat = await pairClients(srv.url, 'chat');
    expect(chat.foundA.iceTransportPolicy).toBeUndefined();
    expect(chat.foundA.iceServers).toBeUndefined();
  });

  test('GET /ice-servers names the TURN server and the policy, without credentials', async () => {
    const srv = await start();
    const { body } = await getJson(`${srv.url}/ice-servers`);
    expect(body).toEqual({ iceServers: [{ urls: 'turn:turn.example.org:3478' }], iceTransportPolicy: 'relay' });
  });

  test('start-up refuses relay-only without a TURN server', async () => {
    await expect(startTestServer({ ICE_RELAY_ONLY: 'true' })).rejects.toThrow(/ICE_RELAY_ONLY=true needs a TURN_SERVER/);
  });

  async function expectOnlyRelayReachesPartner(urls: string | [string, string], metricsUrl: string): Promise<void> {
    const { a, b, roomId } = await pairClients(urls, 'video');
    const candidatesAtB = record(b, 'ice_candidate');
    for (const candidate of [host, srflx, relay])
      a.emit('ice_candidate', { roomId, candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } });
    const offerAtB = waitFor(b, 'offer');
    a.emit('offer', { roomId, offer: sdpWith('offer') });
    const { offer } = await offerAtB;
    expect(candidatesAtB).toEqual([{ candidate: { candidate: relaySeen, sdpMid: '0', sdpMLineIndex: 0 } }]);
    expect(offer.sdp).toContain(`a=${relaySeen}`);
    expect(offer.sdp).not.toMatch(/192\.168|203\.0\.113|typ host|typ srflx/);
    const answerAtA = waitFor(a, 'answer');
    b.emit('answer', { roomId, answer: sdpWith('answer') });
    expect((await answerAtA).answer.sdp).not.toMatch(/192\.168|203\.0\.113/);
    await expectNoEvent(b, 'ice_candidate', 200);
    expect(candidatesAtB).toHaveLength(1);
    expect(await metricValue(metricsUrl, 'chat_ice_candidates_dropped_total', 'where="ice_candidate"')).toBe(2);
  }

  test('non-relay candidates never reach the partner, as events or inside offers and answers (counted)', async () => {
    const srv = await start();
    await expectOnlyRelayReachesPartner(srv.url, srv.url);
    expect(await metricValue(srv.url, 'chat_ice_candidates_dropped_total', 'where="sdp"')).toBe(4);
  });

  test('the same holds between two nodes of a cluster', async () => {
    const [one, two] = await modes.cluster(2, RELAY_ONLY_ENV);
    await expectOnlyRelayReachesPartner([one.url, two.url], one.url);
  });
});

describe('ICE_RELAY_ONLY off (the default)', () => {
  test('every candidate is relayed unchanged', async () => {
    const srv = await start({ ICE_RELAY_ONLY: 'false' });
    const { a, b, roomId } = await pairClients(srv.url, 'video');
    const last = waitFor(b, 'ice_candidate', 5000, (p: any) => p.candidate.candidate === relay);
    for (const candidate of [host, srflx, relay]) a.emit('ice_candidate', { roomId, candidate: { candidate } });
    await last;
    const offerAtB = waitFor(b, 'offer');
    a.emit('offer', { roomId, offer: sdpWith('offer') });
    expect((await offerAtB).offer).toEqual(sdpWith('offer'));
  });
});
