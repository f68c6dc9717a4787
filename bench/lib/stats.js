'use strict';
/** Reads connected users, waiting users and rooms out of a server's GET /stats, whatever its shape. */

function pickConnected(s) {
  for (const k of ['connectedUsers', 'connected', 'connections', 'users', 'sockets', 'onlineUsers']) {
    if (typeof s[k] === 'number') return s[k];
    if (s[k] && typeof s[k] === 'object') {
      for (const kk of ['connected', 'total', 'count', 'sockets', 'online']) if (typeof s[k][kk] === 'number') return s[k][kk];
    }
  }
  return null;
}

function sumNumbers(v) {
  if (typeof v === 'number') return v;
  if (v && typeof v.total === 'number') return v.total;
  if (v && typeof v === 'object') return Object.values(v).reduce((s, x) => s + sumNumbers(x), 0);
  return 0;
}

function pickStats(s) {
  const find = (names) => {
    for (const n of names) if (s[n] !== undefined) return sumNumbers(s[n]);
    return null;
  };
  return {
    connected: pickConnected(s),
    waiting: find(['waitingUsers', 'waiting', 'queues', 'queue', 'waitingByType']),
    rooms: find(['activeRooms', 'rooms', 'roomsByType']),
  };
}

module.exports = { pickConnected, pickStats };
