'use strict';
/**
 * PeerJS server (npm `peer`), the best-known Node signalling server, as the signalling baseline.
 * WebSocket at /peerjs?key=peerjs&id=<id>&token=<token>; GET /health answered here for readiness.
 */
const { PeerServer } = require('peer');

const port = Number(process.env.PORT || 9000);
const peer = PeerServer(
  { port, host: '127.0.0.1', path: '/', key: 'peerjs', concurrent_limit: 1e7, alive_timeout: 1e9, expire_timeout: 5000 },
  (server) => process.stdout.write(`READY ${server.address().port}\n`),
);
peer.get('/health', (_req, res) => res.json({ status: 'ok' }));
process.on('SIGTERM', () => process.exit(0));
