/**
 * Single-line mutations: plausible bugs the suite must catch. Each names the file, the exact text
 * to replace (it must occur once), its replacement, and the test files (optionally one test name
 * pattern) expected to fail. A mutant whose `search` text no longer exists fails the run, so the
 * list is kept in step with the code.
 */
module.exports = [
  // moderation and matchmaking handlers
  {
    name: 'report no longer blocks the pair',
    file: 'src/realtime/handlers/matchmaking.ts',
    search: '  await ctx.services.pairs.block(socket.data, reported, now);\n',
    replace: '',
    tests: ['tests/integration/rematch.test.ts'],
  },
  {
    name: 'a ban is not checked before queueing',
    file: 'src/realtime/handlers/matchmaking.ts',
    search: "if (ban?.mode === 'hard') throw new ClientError('BANNED', undefined, ban.until - now);",
    replace: '',
    tests: ['tests/integration/abuse.test.ts'],
    grep: 'BANNED',
  },
  {
    name: 'join while waiting is not refused',
    file: 'src/realtime/handlers/matchmaking.ts',
    search: "if (await ctx.services.queue.isWaiting(socket.data.userId)) throw new ClientError('ALREADY_QUEUED');",
    replace: '',
    tests: ['tests/integration/abuse.test.ts'],
    grep: 'ALREADY_QUEUED',
  },
  // signalling and chat relays
  {
    name: 'answer echoed back to its sender',
    file: 'src/realtime/handlers/signaling.ts',
    search: "socket.to(roomId).emit('answer', { answer: relayOnly",
    replace: "ctx.io.to(roomId).emit('answer', { answer: relayOnly",
    tests: ['tests/integration/signaling.test.ts'],
  },
  {
    name: 'typing echoed back to its sender',
    file: 'src/realtime/handlers/chat.ts',
    search: "socket.to(roomId).volatile.emit('user_typing', { isTyping });",
    replace: "socket.nsp.to(roomId).volatile.emit('user_typing', { isTyping });",
    tests: ['tests/integration/chat.test.ts'],
  },
  {
    name: 'message sender is the socket id, not the anonymous user id',
    file: 'src/realtime/handlers/chat.ts',
    search: '    sender: socket.data.userId,',
    replace: '    sender: socket.id,',
    tests: ['tests/integration/chat.test.ts'],
  },
  // guard and membership
  {
    name: 'rate limit counted but never enforced',
    file: 'src/realtime/guard.ts',
    search: "if (retryAfterMs !== undefined) throw new ClientError('RATE_LIMITED', undefined, retryAfterMs);",
    replace: '',
    tests: ['tests/integration/limits.test.ts'],
    grep: 'per-socket event budgets',
  },
  {
    name: 'repeated refusals never cost the connection',
    file: 'src/realtime/guard.ts',
    search: '    socket.disconnect(true);',
    replace: '',
    tests: ['tests/integration/limits.test.ts'],
    grep: 'RATE_LIMIT_DISCONNECT_AFTER',
  },
  {
    name: "a socket's own id accepted as a room",
    file: 'src/realtime/membership.ts',
    search: 'if (roomId === socket.id || !socket.rooms.has(roomId))',
    replace: 'if (!socket.rooms.has(roomId))',
    tests: ['tests/integration/abuse.test.ts'],
    grep: 'cannot be used to address',
  },
  {
    name: 'message text not trimmed',
    file: 'src/realtime/schemas.ts',
    search: 'message: z.string().trim().min(1)',
    replace: 'message: z.string().min(1)',
    tests: ['tests/unit/schemas.test.ts'],
  },
  // pairing
  {
    name: 'no initiator in a video room',
    file: 'src/realtime/pairing.ts',
    search: 'this.announce(room, partner, user, commonInterests, true);',
    replace: 'this.announce(room, partner, user, commonInterests, false);',
    tests: ['tests/integration/signaling.test.ts'],
  },
  {
    name: 'the leaver is told its own partner left',
    file: 'src/realtime/pairing.ts',
    search: 'const notify = leaver ? this.ctx.io.to(room.id).except(leaver.socketId) : this.ctx.io.to(room.id);',
    replace: 'const notify = this.ctx.io.to(room.id);',
    tests: ['tests/integration/room-end.test.ts'],
  },
  // queue: memory and Lua
  {
    name: 'cooldown ignored (memory queue)',
    file: 'src/domain/memory/memory-match-queue.ts',
    search: 'return allowRecent || !this.history.metRecentlyNow(a, b, now);',
    replace: 'return true;',
    tests: ['tests/integration/rematch.test.ts'],
  },
  {
    name: 'cooldown ignored (Lua queue)',
    file: 'src/domain/redis/redis-match-queue.ts',
    search: "return allowRecent or not membersActive('recent', a, b, NOW)",
    replace: 'return true',
    tests: ['tests/integration/rematch.test.ts'],
  },
  {
    name: 'blocked pairs meet (Lua queue)',
    file: 'src/domain/redis/redis-match-queue.ts',
    search: "if a.userId == b.userId or membersActive('block', a, b, NOW) then return false end",
    replace: 'if a.userId == b.userId then return false end',
    tests: ['tests/contract/match-queue.test.ts'],
  },
  {
    name: "removeNode keeps the node's entries (memory queue)",
    file: 'src/domain/memory/memory-match-queue.ts',
    search: '    ids.forEach((id) => this.take(id));',
    replace: '',
    tests: ['tests/contract/match-queue.test.ts'],
  },
  {
    name: "removeNode keeps the node's entries (Lua queue)",
    file: 'src/domain/redis/redis-match-queue.ts',
    search: '  if take(id) then n = n + 1 end',
    replace: '  n = n + 1',
    tests: ['tests/contract/match-queue.test.ts'],
  },
  // rooms: memory and Lua
  {
    name: 'closing a room does not count it down (memory)',
    file: 'src/domain/memory/memory-room-manager.ts',
    search: '    this.roomCounts[stored.room.type] -= 1;',
    replace: '',
    tests: ['tests/contract/room-manager.test.ts'],
  },
  {
    name: 'closing a room keeps the user → room index (Lua)',
    file: 'src/domain/redis/redis-room-manager.ts',
    search:
      "  if redis.call('HGET', P .. 'rooms:by-user', user.userId) == id then redis.call('HDEL', P .. 'rooms:by-user', user.userId) end",
    replace: '',
    tests: ['tests/contract/redis-room-keys.test.ts'],
  },
  {
    name: 'closing a room does not count it down (Lua)',
    file: 'src/domain/redis/redis-room-manager.ts',
    search: "redis.call('HINCRBY', P .. 'rooms:counts', room.type, -1)",
    replace: '',
    tests: ['tests/contract/room-manager.test.ts'],
  },
  // cluster and lifecycle
  {
    name: 'after a Redis outage, peers reaped without waiting NODE_DEAD_AFTER_MS',
    file: 'src/realtime/node-liveness.ts',
    search: '    if (steadySince === undefined || now - steadySince < config.redis.deadAfterMs) return;',
    replace: '',
    tests: ['tests/integration/cluster.test.ts'],
    grep: 'Redis outage',
  },
  {
    name: 'survivors look for dead nodes only on their own beats',
    file: 'src/realtime/node-liveness.ts',
    search: '    if (deadline === undefined || stopped) return;',
    replace: '    return;',
    tests: ['tests/integration/cluster.test.ts'],
    grep: 'not a beat later',
  },
  {
    name: 'a heartbeat that falls on a sweep is dropped',
    file: 'src/realtime/serial-steps.ts',
    search: '      this.pending.add(step);\n',
    replace: '',
    tests: ['tests/unit/serial-steps.test.ts'],
  },
  {
    name: "graceful shutdown leaves this node's waiting users in the Redis queue",
    file: 'src/server.ts',
    search: "['remove queue entries', () => services.queue.removeNode(nodeId)],",
    replace: "['remove queue entries', () => undefined],",
    tests: ['tests/integration/cluster.test.ts'],
    grep: 'graceful shutdown takes',
  },
  {
    name: "the adapter's room (un)subscriptions reject unhandled at shutdown",
    file: 'src/cluster.ts',
    search: '        reply.catch(() => undefined);\n',
    replace: '',
    tests: ['tests/integration/redis-faults.test.ts'],
    grep: 'a node shutting down',
  },
  {
    name: 'a fault during a shutdown cuts it short',
    file: 'src/shutdown.ts',
    search: '    if (!started) begin({ cause });',
    replace: '    begin({ cause });',
    tests: ['tests/unit/shutdown.test.ts'],
  },
  {
    name: '/health answers 200 while draining',
    file: 'src/http/routes.ts',
    search: "res.status(health.status === 'ok' ? 200 : 503)",
    replace: "res.status(health.status === 'degraded' ? 503 : 200)",
    tests: ['tests/integration/operations.test.ts'],
    grep: '/health and /ready',
  },
  // config
  {
    name: 'MAX_MESSAGE_LENGTH default raised',
    file: 'src/config.ts',
    search: 'MAX_MESSAGE_LENGTH: positiveInt.default(2000)',
    replace: 'MAX_MESSAGE_LENGTH: positiveInt.default(20000)',
    tests: ['tests/unit/config.test.ts'],
  },
  {
    name: 'BAN_REPORT_THRESHOLD default lowered',
    file: 'src/config.ts',
    search: 'BAN_REPORT_THRESHOLD: positiveInt.default(3)',
    replace: 'BAN_REPORT_THRESHOLD: positiveInt.default(1)',
    tests: ['tests/unit/config.test.ts'],
  },
  // the harness itself
  {
    name: 'a slow child server is given up on but left running',
    file: 'tests/helpers/child-server.ts',
    search: '      killGroup(child);\n      void exited',
    replace: '      void exited',
    tests: ['tests/integration/child-server.test.ts'],
  },
];
