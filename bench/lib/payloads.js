'use strict';
/** Realistic signalling payloads: an SDP of about 10 KB and ICE candidates of about 100 B. */

const CODECS = [
  [111, 'opus/48000/2', 'minptime=10;useinbandfec=1'],
  [63, 'red/48000/2', '111/111'],
  [9, 'G722/8000', null],
  [0, 'PCMU/8000', null],
  [8, 'PCMA/8000', null],
  [13, 'CN/8000', null],
  [110, 'telephone-event/48000', null],
  [126, 'telephone-event/8000', null],
];
const VIDEO = [
  [96, 'VP8/90000', null],
  [97, 'rtx/90000', 'apt=96'],
  [98, 'VP9/90000', 'profile-id=0'],
  [99, 'rtx/90000', 'apt=98'],
  [100, 'VP9/90000', 'profile-id=2'],
  [101, 'rtx/90000', 'apt=100'],
  [102, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f'],
  [103, 'rtx/90000', 'apt=102'],
  [104, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f'],
  [105, 'rtx/90000', 'apt=104'],
  [106, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f'],
  [107, 'rtx/90000', 'apt=106'],
  [108, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f'],
  [109, 'rtx/90000', 'apt=108'],
  [127, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f'],
  [125, 'rtx/90000', 'apt=127'],
  [39, 'AV1/90000', 'level-idx=5;profile=0;tier=0'],
  [40, 'rtx/90000', 'apt=39'],
  [45, 'AV1/90000', 'level-idx=5;profile=1;tier=0'],
  [46, 'rtx/90000', 'apt=45'],
  [114, 'red/90000', null],
  [115, 'rtx/90000', 'apt=114'],
  [116, 'ulpfec/90000', null],
];

function mline(kind, mid, codecs) {
  const pts = codecs.map((c) => c[0]).join(' ');
  const lines = [
    `m=${kind} 9 UDP/TLS/RTP/SAVPF ${pts}`,
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:EsAw',
    'a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07:09:DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF',
    'a=setup:actpass',
    `a=mid:${mid}`,
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    'a=msid:3b5f1c2e-6f8a-4b3e-9d2f-7a1c0e5b9d41 8c2d4e6f-1a3b-4c5d-8e7f-9a0b1c2d3e4f',
    'a=rtcp-mux',
    'a=rtcp-rsize',
  ];
  for (const [pt, name, fmtp] of codecs) {
    lines.push(`a=rtpmap:${pt} ${name}`);
    if (kind === 'video' && !name.startsWith('rtx')) {
      lines.push(`a=rtcp-fb:${pt} goog-remb`, `a=rtcp-fb:${pt} transport-cc`, `a=rtcp-fb:${pt} ccm fir`);
      lines.push(`a=rtcp-fb:${pt} nack`, `a=rtcp-fb:${pt} nack pli`);
    }
    if (fmtp) lines.push(`a=fmtp:${pt} ${fmtp}`);
  }
  lines.push('a=ssrc-group:FID 2754901853 1239475033');
  for (const ssrc of [2754901853, 1239475033]) {
    lines.push(
      `a=ssrc:${ssrc} cname:Zc0N4Yk2bq8fRbJf`,
      `a=ssrc:${ssrc} msid:3b5f1c2e-6f8a-4b3e-9d2f-7a1c0e5b9d41 8c2d4e6f-1a3b-4c5d-8e7f-9a0b1c2d3e4f`,
    );
  }
  return lines;
}

/** SDP body after the origin line; the origin line carries the send time (µs) for latency. */
function buildSdpTail(targetBytes = 10 * 1024) {
  const lines = [
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1 2',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS 3b5f1c2e-6f8a-4b3e-9d2f-7a1c0e5b9d41',
    ...mline('audio', 0, CODECS),
    ...mline('video', 1, VIDEO),
    ...mline('video', 2, VIDEO),
  ];
  let tail = lines.join('\r\n') + '\r\n';
  const head = 'v=0\r\no=- 1234567890123 2 IN IP4 127.0.0.1\r\n'.length;
  // Trim or pad with candidate lines until the whole SDP is targetBytes.
  let n = 0;
  while (head + tail.length < targetBytes - 110) {
    tail += `a=candidate:${1000 + n++} 1 udp 2122260223 192.168.1.${n % 250} ${50000 + n} typ host generation 0 network-id 1\r\n`;
  }
  if (head + tail.length > targetBytes) tail = tail.slice(0, targetBytes - head);
  return tail;
}

const SDP_TAIL = buildSdpTail(Number(process.env.BENCH_SDP_BYTES || 10 * 1024));

function makeSdp(tsMicros) {
  return `v=0\r\no=- ${tsMicros} 2 IN IP4 127.0.0.1\r\n${SDP_TAIL}`;
}
function sdpTs(sdp) {
  return Number(sdp.slice(9, sdp.indexOf(' ', 9)));
}
function makeCandidate(tsMicros) {
  return {
    candidate: `candidate:${tsMicros} 1 udp 2122260223 192.168.1.23 54321 typ host generation 0 ufrag EsAw network-id 1`,
    sdpMid: '0',
    sdpMLineIndex: 0,
  };
}
function candidateTs(c) {
  return Number(c.candidate.slice(10, c.candidate.indexOf(' ')));
}
/** Chat text: send time (µs) then padding to `size` characters. */
function makeText(tsMicros, size) {
  const head = `${tsMicros}|`;
  return head + 'x'.repeat(Math.max(0, size - head.length));
}
function textTs(text) {
  return Number(text.slice(0, text.indexOf('|')));
}

module.exports = { makeSdp, sdpTs, makeCandidate, candidateTs, makeText, textTs };
