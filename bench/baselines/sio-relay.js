'use strict';
/**
 * Minimal Socket.io server speaking the same wire contract as ours (session, join, partner_found,
 * send_message → new_message, offer/answer/ice_candidate, next, leave_room, leave_queue) with no
 * validation, rate limiting, logging or history. It isolates the cost of Socket.io itself, so the
 * table can tell framework overhead apart from our own code. Informational only; also used to
 * develop the harness before dist/ exists.
 */
const http = require('node:http');
const crypto = require('node:crypto');
const { Server } = require('socket.io');

const port = Number(process.env.PORT || 0);
const server = http.createServer((req, res) => {
  if (req.url === '/health' || req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        status: 'ok',
        connectedUsers: io.engine.clientsCount,
        waiting: { chat: waiting.chat ? 1 : 0, video: waiting.video ? 1 : 0 },
        rooms: rooms.size,
        memory: process.memoryUsage(),
      }),
    );
    return;
  }
  res.writeHead(404);
  res.end();
});
const io = new Server(server, { transports: ['websocket', 'polling'], perMessageDeflate: false, serveClient: false });
// SIO_DISCARD_REQUEST=1: drop engine.io's reference to the upgrade request once connected (the
// Socket.io docs' memory tip), to measure what it saves per idle socket.
if (process.env.SIO_DISCARD_REQUEST === '1') {
  io.engine.on('connection', (rawSocket) => {
    rawSocket.request = null;
  });
}
const waiting = { chat: null, video: null };
const rooms = new Map();

function leave(socket, notify) {
  const room = socket.data.room;
  if (!room) return;
  socket.data.room = null;
  const r = rooms.get(room);
  rooms.delete(room);
  if (r) {
    for (const s of r) {
      s.leave(room);
      if (s !== socket) {
        s.data.room = null;
        if (notify) s.emit('partner_disconnected', { reason: 'left' });
      }
    }
  }
}

function join(socket, type) {
  leave(socket, true);
  const other = waiting[type];
  if (other && other !== socket && other.connected) {
    waiting[type] = null;
    const roomId = crypto.randomUUID();
    rooms.set(roomId, [other, socket]);
    for (const [a, b] of [
      [other, socket],
      [socket, other],
    ]) {
      a.join(roomId);
      a.data.room = roomId;
      a.emit('partner_found', { roomId, partnerId: b.data.userId, type, commonInterests: [] });
    }
  } else {
    waiting[type] = socket;
    socket.data.type = type;
    socket.emit('waiting_for_partner');
  }
}

io.on('connection', (socket) => {
  socket.data.userId = crypto.randomUUID();
  socket.emit('session', { userId: socket.data.userId, recovered: false });
  socket.on('join', (p) => join(socket, p && p.type === 'video' ? 'video' : 'chat'));
  socket.on('next', () => join(socket, socket.data.type || 'chat'));
  socket.on('leave_room', () => leave(socket, true));
  socket.on('leave_queue', () => {
    for (const t of ['chat', 'video']) if (waiting[t] === socket) waiting[t] = null;
  });
  socket.on('send_message', (p) => {
    if (!p || p.roomId !== socket.data.room) return;
    io.to(p.roomId).emit('new_message', {
      id: crypto.randomUUID(),
      text: p.message,
      sender: socket.data.userId,
      timestamp: Date.now(),
      type: 'text',
    });
  });
  for (const ev of ['offer', 'answer', 'ice_candidate']) {
    const key = ev === 'ice_candidate' ? 'candidate' : ev;
    socket.on(ev, (p) => {
      if (!p || p.roomId !== socket.data.room) return;
      socket.to(p.roomId).emit(ev, { [key]: p[key] });
    });
  }
  socket.on('disconnect', () => {
    for (const t of ['chat', 'video']) if (waiting[t] === socket) waiting[t] = null;
    leave(socket, true);
  });
});

server.listen(port, '127.0.0.1', () => process.stdout.write(`READY ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
