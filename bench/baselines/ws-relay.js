'use strict';
/**
 * Raw `ws` relay: the physical-limit baseline. No framework, no validation.
 *
 * Protocol (JSON text frames, same shape of work as the Socket.io server):
 *   server → client on connect: {"t":"session","id":n}
 *   client → server {"t":"join"}  → both clients of a pair get {"t":"paired","room":r,"partner":id}
 *     (pairs consecutive joiners; a join while paired ends the room and re-queues)
 *   any other frame from a paired client is forwarded verbatim (not parsed) to its partner.
 * GET /health → 200. Port from PORT, host 127.0.0.1. Prints "READY <port>" on stdout.
 */
const http = require('node:http');
const { WebSocketServer } = require('ws');

const port = Number(process.env.PORT || 0);
const server = http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', connections: wss.clients.size }));
    return;
  }
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: true, maxPayload: 1 << 20 });

let nextId = 1;
let nextRoom = 1;
let waiting = null;

wss.on('connection', (ws) => {
  ws.id = nextId++;
  ws.partner = null;
  ws.on('error', () => {});
  ws.send(`{"t":"session","id":${ws.id}}`);
  ws.on('message', (data, isBinary) => {
    const partner = ws.partner;
    // Data frames while paired: forwarded verbatim. Only the tiny control frame is parsed.
    if (partner !== null && !(data.length < 16 && data.toString().startsWith('{"t":"join"'))) {
      if (partner.readyState === 1) partner.send(data, { binary: isBinary });
      return;
    }
    if (data.toString().startsWith('{"t":"join"')) {
      if (partner) {
        partner.partner = null;
        ws.partner = null;
        if (partner.readyState === 1) partner.send('{"t":"partner_left"}');
      }
      if (waiting && waiting !== ws && waiting.readyState === 1) {
        const other = waiting;
        waiting = null;
        const room = nextRoom++;
        other.partner = ws;
        ws.partner = other;
        other.send(`{"t":"paired","room":${room},"partner":${ws.id}}`);
        ws.send(`{"t":"paired","room":${room},"partner":${other.id}}`);
      } else {
        waiting = ws;
        ws.send('{"t":"waiting"}');
      }
    }
  });
  ws.on('close', () => {
    if (waiting === ws) waiting = null;
    const partner = ws.partner;
    if (partner) {
      partner.partner = null;
      if (partner.readyState === 1) partner.send('{"t":"partner_left"}');
    }
  });
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`READY ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
