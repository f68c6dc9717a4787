/**
 * Browser end-to-end test of the reconnect grace in a video call: the demo client in public/ against
 * the real server, in headless Chromium with a fake camera. Run with `npm run test:e2e`.
 * (The demo's own suite is demo.e2e.test.ts; this file keeps the grace on, which that one turns off.)
 */
import { callWorks, pair, useDemoSuite, waitForStatus, type Win } from './support';

const suite = useDemoSuite({ env: { RECONNECT_GRACE_MS: '10000' } });

test('video: a signalling socket that blips comes back to the same working call', async () => {
  const a = await suite.session.open('A');
  const b = await suite.session.open('B');
  await pair(a, b, 'video');
  await Promise.all([callWorks(a), callWorks(b)]);
  const userId = await a.evaluate(() => (globalThis as Win).__demo.userId);
  const roomId = await a.evaluate(() => (globalThis as Win).__demo.roomId);

  // A's network blips: the transport closes, socket.io-client reconnects and recovers the session.
  await a.evaluate(() => (globalThis as Win).__demo.socket.io.engine.close());
  await waitForStatus(b, 'Stranger lost connection');
  await b.fill('#message-input', 'sent while you were away');
  await b.click('#send');
  await waitForStatus(b, 'Stranger is back');
  await waitForStatus(a, 'Still with the stranger');
  expect(await a.evaluate(() => (globalThis as Win).__demo.userId)).toBe(userId);
  expect(await a.evaluate(() => (globalThis as Win).__demo.roomId)).toBe(roomId);
  await a.waitForSelector('#messages .message.theirs:has-text("sent while you were away")');

  await Promise.all([callWorks(a), callWorks(b)]);
  await a.fill('#message-input', 'back, and I can see you');
  await a.click('#send');
  await b.waitForSelector('#messages .message.theirs:has-text("back, and I can see you")');
});
