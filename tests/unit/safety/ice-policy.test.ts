import { isRelayCandidate, relayOnlyCandidate, withRelayCandidatesOnly } from '../../../src/safety/ice-policy';

const host = 'candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host generation 0';
const mdns = 'candidate:2 1 udp 2122260223 4f1d3c2e-0000-4000-8000-000000000000.local 54321 typ host';
const srflx = 'candidate:3 1 udp 1686052607 203.0.113.7 61000 typ srflx raddr 192.168.1.20 rport 54321';
const relay = 'candidate:4 1 udp 41885439 198.51.100.9 50000 typ relay raddr 203.0.113.7 rport 61000';

const scrubbedRelay = 'candidate:4 1 udp 41885439 198.51.100.9 50000 typ relay raddr 0.0.0.0 rport 0';

describe('relay-only ICE policy', () => {
  test('only relay candidates (and the end-of-candidates marker) pass', () => {
    expect(isRelayCandidate(relay)).toBe(true);
    expect(isRelayCandidate('')).toBe(true);
    for (const candidate of [host, mdns, srflx, 'candidate:5 1 tcp 1 10.0.0.1 9 typ prflx', 'garbage', 'relay typ']) {
      expect(isRelayCandidate(candidate)).toBe(false);
    }
  });

  test("a relay candidate passes with its related address (the peer's own) blanked", () => {
    expect(relayOnlyCandidate(relay)).toBe(scrubbedRelay);
    expect(relayOnlyCandidate('candidate:4 1 udp 41885439 198.51.100.9 50000 typ relay')).toBe(
      'candidate:4 1 udp 41885439 198.51.100.9 50000 typ relay',
    );
    expect(relayOnlyCandidate(srflx)).toBeUndefined();
  });

  test('non-relay candidate lines leave the SDP and default addresses are blanked', () => {
    const sdp = [
      'v=0',
      'o=- 1 2 IN IP4 127.0.0.1',
      'm=audio 61000 UDP/TLS/RTP/SAVPF 111',
      'c=IN IP4 203.0.113.7',
      'a=rtcp:9 IN IP4 203.0.113.7',
      `a=${host}`,
      `a=${srflx}`,
      `a=${relay}`,
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'c=IN IP6 2001:db8::1',
      `a=${mdns}`,
      'a=end-of-candidates',
      '',
    ].join('\r\n');
    const { sdp: filtered, removed } = withRelayCandidatesOnly(sdp);
    expect(removed).toBe(3);
    expect(filtered).toBe(
      [
        'v=0',
        'o=- 1 2 IN IP4 127.0.0.1',
        'm=audio 61000 UDP/TLS/RTP/SAVPF 111',
        'c=IN IP4 0.0.0.0',
        'a=rtcp:9 IN IP4 0.0.0.0',
        `a=${scrubbedRelay}`,
        'm=video 9 UDP/TLS/RTP/SAVPF 96',
        'c=IN IP6 ::',
        'a=end-of-candidates',
        '',
      ].join('\r\n'),
    );
    expect(filtered).not.toMatch(/192\.168|203\.0\.113|2001:db8|\.local/);
  });
});
