'use strict';
/**
 * One client API over three wire protocols, so every scenario runs unchanged against each target:
 *   sio  – our wire contract over socket.io-client (ours, and the minimal socket.io floor)
 *   ws   – the raw ws relay's JSON frames (bench/baselines/ws-relay.js)
 *   peer – the PeerJS server's websocket protocol (signalling only; pairs are made by the harness)
 *
 * Handlers (h): onPaired(c), onChat(c, tsMicros), onSignal(c, kind, tsMicros), onPartnerLeft(c),
 *               onError(c, code), onClose(c)
 */
const { io } = require('socket.io-client');
const WebSocket = require('ws');
const P = require('./payloads');

const now = () => Math.round(performance.now() * 1000);

class SioClient {
  constructor(url, h) {
    this.url = url;
    this.h = h;
    this.userId = null;
    this.roomId = null;
    this.partnerId = null;
    this.partner = null;
    this.s = null;
  }
  connect(timeoutMs = 20000) {
    return new Promise((resolve, reject) => {
      const s = io(this.url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: timeoutMs });
      this.s = s;
      const timer = setTimeout(() => {
        s.close();
        reject(new Error('session timeout'));
      }, timeoutMs);
      s.once('session', (info) => {
        clearTimeout(timer);
        this.userId = info.userId;
        resolve(this);
      });
      s.once('connect_error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      s.on('partner_found', (p) => {
        this.roomId = p.roomId;
        this.partnerId = p.partnerId;
        this.h.onPaired(this);
      });
      s.on('waiting_for_partner', () => {});
      s.on('partner_disconnected', () => {
        this.roomId = null;
        this.h.onPartnerLeft(this);
      });
      s.on('new_message', (m) => {
        if (m.sender !== this.userId) this.h.onChat(this, P.textTs(m.text));
      });
      s.on('offer', (p) => this.h.onSignal(this, 'offer', P.sdpTs(p.offer.sdp)));
      s.on('answer', (p) => this.h.onSignal(this, 'answer', P.sdpTs(p.answer.sdp)));
      s.on('ice_candidate', (p) => this.h.onSignal(this, 'candidate', P.candidateTs(p.candidate)));
      s.on('error', (e) => this.h.onError(this, (e && e.code) || 'error'));
      s.on('disconnect', () => this.h.onClose(this));
    });
  }
  join(type = 'chat', preferences) {
    this.s.emit('join', preferences ? { type, preferences } : { type });
  }
  next() {
    this.s.emit('next');
  }
  leaveRoom() {
    if (this.roomId) this.s.emit('leave_room', { roomId: this.roomId });
    this.roomId = null;
  }
  leaveQueue() {
    this.s.emit('leave_queue');
  }
  sendChat(text) {
    this.s.emit('send_message', { roomId: this.roomId, message: text });
  }
  sendOffer(ts) {
    this.s.emit('offer', { roomId: this.roomId, offer: { type: 'offer', sdp: P.makeSdp(ts) } });
  }
  sendAnswer(ts) {
    this.s.emit('answer', { roomId: this.roomId, answer: { type: 'answer', sdp: P.makeSdp(ts) } });
  }
  sendCandidate(ts) {
    this.s.emit('ice_candidate', { roomId: this.roomId, candidate: P.makeCandidate(ts) });
  }
  close() {
    if (this.s) this.s.close();
  }
}

/**
 * Opens the websocket of a raw-ws or PeerJS client (client.ws). Resolves with the client when
 * onMessage(data, ready) calls ready() (the server's hello frame); rejects on an error before that,
 * or after timeoutMs (closing the socket). A promise settles once, so later errors are ignored.
 */
function openWebSocket(client, url, wsOpts, timeoutMs, timeoutMessage, onMessage) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...wsOpts });
    client.ws = ws;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(timeoutMessage));
    }, timeoutMs);
    const ready = () => {
      clearTimeout(timer);
      resolve(client);
    };
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.on('close', () => client.h.onClose(client));
    ws.on('message', (data) => onMessage(data, ready));
  });
}

class WsClient {
  constructor(url, h) {
    this.url = url.replace(/^http/, 'ws') + '/';
    this.h = h;
    this.userId = null;
    this.roomId = null;
    this.partnerId = null;
    this.partner = null;
    this.ws = null;
  }
  connect(timeoutMs = 20000) {
    return openWebSocket(this, this.url, { handshakeTimeout: timeoutMs }, timeoutMs, 'session timeout', (data, ready) => {
      // Chat frames are the hot path: read the timestamp without a full JSON.parse, so the load
      // process is not what limits the baseline.
      const str = data.toString();
      if (str.startsWith('{"t":"msg"')) {
        const i = str.indexOf('"text":"') + 8;
        this.h.onChat(this, Number(str.slice(i, str.indexOf('|', i))));
        return;
      }
      const m = JSON.parse(str);
      switch (m.t) {
        case 'offer':
          this.h.onSignal(this, 'offer', P.sdpTs(m.offer.sdp));
          break;
        case 'answer':
          this.h.onSignal(this, 'answer', P.sdpTs(m.answer.sdp));
          break;
        case 'ice':
          this.h.onSignal(this, 'candidate', P.candidateTs(m.candidate));
          break;
        case 'session':
          this.userId = String(m.id);
          ready();
          break;
        case 'paired':
          this.roomId = String(m.room);
          this.partnerId = String(m.partner);
          this.h.onPaired(this);
          break;
        case 'partner_left':
          this.roomId = null;
          this.h.onPartnerLeft(this);
          break;
        default:
      }
    });
  }
  join() {
    this.ws.send('{"t":"join"}');
  }
  /** The relay treats a join while paired as "next". */
  next() {
    this.join();
  }
  leaveRoom() {}
  leaveQueue() {}
  sendChat(text) {
    this.ws.send(JSON.stringify({ t: 'msg', roomId: this.roomId, text }));
  }
  sendOffer(ts) {
    this.ws.send(JSON.stringify({ t: 'offer', roomId: this.roomId, offer: { type: 'offer', sdp: P.makeSdp(ts) } }));
  }
  sendAnswer(ts) {
    this.ws.send(JSON.stringify({ t: 'answer', roomId: this.roomId, answer: { type: 'answer', sdp: P.makeSdp(ts) } }));
  }
  sendCandidate(ts) {
    this.ws.send(JSON.stringify({ t: 'ice', roomId: this.roomId, candidate: P.makeCandidate(ts) }));
  }
  close() {
    if (this.ws) this.ws.close();
  }
}

let peerSeq = 0;
class PeerClient {
  constructor(url, h) {
    this.base = url.replace(/^http/, 'ws');
    this.h = h;
    this.userId = `bench-${process.pid}-${++peerSeq}`;
    this.token = Math.random().toString(36).slice(2);
    this.roomId = null;
    this.partnerId = null;
    this.partner = null;
    this.ws = null;
    this.connectionId = `mc_${Math.random().toString(36).slice(2, 14)}`;
  }
  connect(timeoutMs = 20000) {
    const url = `${this.base}/peerjs?key=peerjs&id=${this.userId}&token=${this.token}`;
    return openWebSocket(this, url, {}, timeoutMs, 'OPEN timeout', (data, ready) => {
      const m = JSON.parse(data);
      switch (m.type) {
        case 'OPEN':
          ready();
          break;
        case 'OFFER':
          this.h.onSignal(this, 'offer', P.sdpTs(m.payload.sdp.sdp));
          break;
        case 'ANSWER':
          this.h.onSignal(this, 'answer', P.sdpTs(m.payload.sdp.sdp));
          break;
        case 'CANDIDATE':
          this.h.onSignal(this, 'candidate', P.candidateTs(m.payload.candidate));
          break;
        case 'ERROR':
        case 'ID-TAKEN':
          this.h.onError(this, m.type);
          break;
        default:
      }
    });
  }
  /** PeerJS has no matchmaking: the harness pairs clients itself (see pairLocally). */
  join() {}
  sendOffer(ts) {
    this.ws.send(
      JSON.stringify({
        type: 'OFFER',
        dst: this.partnerId,
        payload: { sdp: { type: 'offer', sdp: P.makeSdp(ts) }, type: 'media', connectionId: this.connectionId, metadata: null },
      }),
    );
  }
  sendAnswer(ts) {
    this.ws.send(
      JSON.stringify({
        type: 'ANSWER',
        dst: this.partnerId,
        payload: { sdp: { type: 'answer', sdp: P.makeSdp(ts) }, type: 'media', connectionId: this.connectionId },
      }),
    );
  }
  sendCandidate(ts) {
    this.ws.send(
      JSON.stringify({
        type: 'CANDIDATE',
        dst: this.partnerId,
        payload: { candidate: P.makeCandidate(ts), type: 'media', connectionId: this.connectionId },
      }),
    );
  }
  close() {
    if (this.ws) this.ws.close();
  }
}

function createClient(kind, url, h) {
  if (kind === 'sio') return new SioClient(url, h);
  if (kind === 'ws') return new WsClient(url, h);
  if (kind === 'peer') return new PeerClient(url, h);
  throw new Error(`unknown client kind ${kind}`);
}

module.exports = { createClient, now };
