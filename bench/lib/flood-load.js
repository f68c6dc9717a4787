'use strict';
/**
 * The load side of the handshake-flood scenario (bench/scenarios/handshake-flood.js), as commands of
 * a load worker (bench/lib/worker.js):
 *   flood        from one address, Engine.IO handshakes that never become Socket.IO sockets: polling
 *                handshakes (GET /socket.io/?EIO=4&transport=polling, on keep-alive connections) and
 *                websocket upgrades that are held open and never send CONNECT; `concurrency` loops
 *                (half of each kind), each one handshake at a time, until `seconds` have passed;
 *   floodHeld    how many accepted upgrades the server has not closed yet (session, and TCP);
 *   honestStart  one real pair from another address, joined and chatting: one message every
 *                `intervalMs`, the two sides in turn;
 *   honestMark   the pair's counts and latencies since the previous mark (one phase), and a new phase;
 *   honestStop   the last phase, then closes the pair.
 * Latencies: echo = send → the server's copy back to the sender; delivery = send → the partner's copy.
 * Every loop is bounded by a deadline.
 */
const crypto = require('node:crypto');
const http = require('node:http');
const { io } = require('socket.io-client');
const { now } = require('./clients');
const { newHist, summary } = require('./histogram');
const P = require('./payloads');

const REQUEST_TIMEOUT_MS = 5000;
const CONNECT_TIMEOUT_MS = 10000;

/** Sockets of accepted websocket upgrades: open until the server closes the TCP connection. */
const held = new Set();
/** Of those, the ones whose session the server has not closed yet (no websocket close frame). */
const live = new Set();

/**
 * Calls onClose when the server's websocket close frame arrives (it closes the Engine.IO session),
 * without answering it: the server then keeps the TCP connection until its own close timeout.
 */
function watchFrames(socket, head, onClose) {
  let buf = Buffer.alloc(0);
  const feed = (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 2) {
      const opcode = buf[0] & 0x0f;
      let len = buf[1] & 0x7f; // server frames are not masked
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      if (buf.length < off + len) return;
      buf = buf.subarray(off + len);
      if (opcode === 8) onClose();
    }
  };
  if (head && head.length) feed(head);
  socket.on('data', feed);
}

function newTally() {
  return { attempted: 0, accepted: 0, refused: 0, statuses: {}, errors: {} };
}
const bump = (counts, key) => (counts[key] = (counts[key] || 0) + 1);

/** One polling handshake; accepted = 200 with an Engine.IO open packet, refused = a 4xx/5xx. */
function pollingHandshake(target, agent, tally) {
  return new Promise((resolve) => {
    tally.attempted++;
    const req = http.get(
      { host: target.host, port: target.port, path: '/socket.io/?EIO=4&transport=polling', agent, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          if (body.length < 64) body += d;
        });
        res.on('end', () => {
          bump(tally.statuses, res.statusCode);
          if (res.statusCode === 200 && body.startsWith('0{')) tally.accepted++;
          else if (res.statusCode >= 400) tally.refused++;
          resolve();
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      bump(tally.errors, err.code || err.message);
      resolve();
    });
  });
}

/** One websocket upgrade; accepted = 101 (the socket is then held, silent), refused = a 4xx/5xx. */
function websocketHandshake(target, tally) {
  return new Promise((resolve) => {
    tally.attempted++;
    const req = http.request({
      host: target.host,
      port: target.port,
      path: '/socket.io/?EIO=4&transport=websocket',
      localAddress: target.localAddress,
      agent: false,
      timeout: REQUEST_TIMEOUT_MS,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': crypto.randomBytes(16).toString('base64'),
      },
    });
    req.on('upgrade', (_res, socket, head) => {
      bump(tally.statuses, 101);
      tally.accepted++;
      socket.setTimeout(0);
      held.add(socket);
      live.add(socket);
      // The open packet, then (at the connect timeout) the close frame: nothing is ever answered.
      watchFrames(socket, head, () => live.delete(socket));
      socket.on('error', () => {});
      socket.on('close', () => {
        held.delete(socket);
        live.delete(socket);
      });
      resolve();
    });
    req.on('response', (res) => {
      bump(tally.statuses, res.statusCode);
      if (res.statusCode >= 400) tally.refused++;
      res.resume();
      res.on('end', resolve);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      bump(tally.errors, err.code || err.message);
      resolve();
    });
    req.end();
  });
}

async function flood({ host, port, localAddress, seconds, concurrency }) {
  const target = { host, port, localAddress };
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, localAddress });
  const polling = newTally();
  const websocket = newTally();
  const t0 = performance.now();
  const end = Date.now() + seconds * 1000;
  const loop = async (upgrade) => {
    while (Date.now() < end) await (upgrade ? websocketHandshake(target, websocket) : pollingHandshake(target, agent, polling));
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i % 2 === 1)));
  agent.destroy();
  return { seconds: (performance.now() - t0) / 1000, concurrency, polling, websocket, ...floodHeld() };
}

/** Accepted upgrades whose session is still open (live), and whose TCP connection is (held). */
function floodHeld() {
  return { live: live.size, held: held.size };
}

let honest = null;

function newPhase() {
  return {
    t0: performance.now(),
    sent: 0,
    echoed: 0,
    delivered: 0,
    echo: newHist(),
    delivery: newHist(),
    errors: {},
    disconnects: 0,
  };
}

function phaseResult(ph) {
  return {
    seconds: (performance.now() - ph.t0) / 1000,
    sent: ph.sent,
    echoed: ph.echoed,
    delivered: ph.delivered,
    echoMs: summary(ph.echo),
    deliveryMs: summary(ph.delivery),
    errors: ph.errors,
    disconnects: ph.disconnects,
  };
}

/** Connects one client from `localAddress` and resolves once the server's `session` event arrived. */
function honestClient(url, localAddress) {
  return new Promise((resolve, reject) => {
    const s = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: CONNECT_TIMEOUT_MS,
      localAddress,
    });
    const timer = setTimeout(() => {
      s.close();
      reject(new Error('honest client: no session in time'));
    }, CONNECT_TIMEOUT_MS);
    s.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    s.once('session', (info) => {
      clearTimeout(timer);
      resolve({ s, userId: info.userId, roomId: null });
    });
  });
}

async function honestStart({ url, localAddress, intervalMs }) {
  const pair = [await honestClient(url, localAddress), await honestClient(url, localAddress)];
  honest = { pair, phase: newPhase(), timer: null };
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('honest pair: not paired in time')), CONNECT_TIMEOUT_MS);
    let paired = 0;
    for (const c of pair) {
      c.s.once('partner_found', (p) => {
        c.roomId = p.roomId;
        if (++paired === 2) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.s.emit('join', { type: 'chat' });
    }
  });
  for (const c of pair) {
    c.s.on('new_message', (m) => {
      const ph = honest.phase;
      const latency = Math.max(1, now() - P.textTs(m.text));
      if (m.sender === c.userId) {
        ph.echoed++;
        ph.echo.recordValue(latency);
      } else {
        ph.delivered++;
        ph.delivery.recordValue(latency);
      }
    });
    c.s.on('error', (e) => bump(honest.phase.errors, (e && e.code) || 'error'));
    c.s.on('disconnect', () => honest.phase.disconnects++);
  }
  let turn = 0;
  honest.timer = setInterval(() => {
    const c = pair[turn++ % 2];
    if (!c.s.connected) return;
    c.s.emit('send_message', { roomId: c.roomId, message: P.makeText(now(), 40) });
    honest.phase.sent++;
  }, intervalMs);
  return { paired: true };
}

function honestMark() {
  const result = phaseResult(honest.phase);
  honest.phase = newPhase();
  return result;
}

async function honestStop({ drainMs = 2000 }) {
  clearInterval(honest.timer);
  const ph = honest.phase;
  const deadline = Date.now() + drainMs;
  while ((ph.echoed < ph.sent || ph.delivered < ph.sent) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const result = phaseResult(ph);
  for (const c of honest.pair) c.s.close();
  honest = null;
  return result;
}

/** Closes whatever is left (the worker is exiting). */
function closeAll() {
  for (const s of held) s.destroy();
  held.clear();
  live.clear();
  if (honest) {
    clearInterval(honest.timer);
    for (const c of honest.pair) c.s.close();
    honest = null;
  }
}

module.exports = { commands: { flood, floodHeld, honestStart, honestMark, honestStop }, closeAll };
