/**
 * Browser end-to-end tests: the demo client in public/ against the real server, in headless Chromium
 * with a fake camera. Run with `npm run test:e2e` (see run-e2e.js: loopback-only network namespace).
 */
import * as os from 'node:os';
import { MEDIA_MS, STEP_MS, pair, screenshot, start, useDemoSuite, waitForStatus, type Win } from './support';

beforeAll(() => {
  if (process.env.E2E_NETNS !== '1') {
    console.warn('[e2e] not inside the isolated network namespace: run via `npm run test:e2e`');
  }
});
const suite = useDemoSuite();
const openDemo = (label: string) => suite.session.open(label);

// ---- tests ---------------------------------------------------------------------------------

test('runs with loopback as the only network interface', () => {
  if (process.env.E2E_NETNS !== '1') return; // informative only outside the runner
  expect(Object.keys(os.networkInterfaces())).toEqual(['lo']);
});

test('chat: two strangers pair, see typing, and exchange messages', async () => {
  const a = await openDemo('A');
  const b = await openDemo('B');

  await pair(a, b, 'chat', 'music, books');
  await a.waitForSelector('#common-interests .chip:text("music")', { timeout: STEP_MS });
  await b.waitForSelector('#common-interests .chip:text("books")', { timeout: STEP_MS });
  await a.waitForFunction(
    () => ((globalThis as Win).document.querySelector('#online-count')?.textContent ?? '').includes('2 online'),
    null,
    { timeout: STEP_MS },
  );

  // A types: B sees the typing indicator before anything is sent.
  await a.locator('#message-input').pressSequentially('hello from A', { delay: 20 });
  await b.waitForSelector('#typing-indicator', { state: 'visible', timeout: STEP_MS });
  await a.click('#send');

  // The server echoes new_message to both: A renders it as mine, B as theirs.
  await b.waitForSelector('#messages .message.theirs:has-text("hello from A")', { timeout: STEP_MS });
  await a.waitForSelector('#messages .message.mine:has-text("hello from A")', { timeout: STEP_MS });
  await b.waitForSelector('#typing-indicator', { state: 'hidden', timeout: STEP_MS });

  // And back, sent with Enter.
  await b.fill('#message-input', 'hi A, this is B');
  await b.press('#message-input', 'Enter');
  await a.waitForSelector('#messages .message.theirs:has-text("hi A, this is B")', { timeout: STEP_MS });
  await b.waitForSelector('#messages .message.mine:has-text("hi A, this is B")', { timeout: STEP_MS });

  // Each message is rendered exactly once on each side (no local echo + server echo duplicates).
  expect(await a.locator('#messages .message').count()).toBe(2);
  expect(await b.locator('#messages .message').count()).toBe(2);

  await screenshot(a, 'chat-a');
  await screenshot(b, 'chat-b');
});

test('video: WebRTC connects over loopback and remote frames arrive', async () => {
  const a = await openDemo('A');
  const b = await openDemo('B');

  await pair(a, b, 'video');

  // Exactly one side is the initiator (the one that sends the offer); both peer connections connect.
  const connected = () => (globalThis as Win).__demo.pc?.connectionState === 'connected';
  await Promise.all([
    a.waitForFunction(connected, null, { timeout: MEDIA_MS }),
    b.waitForFunction(connected, null, { timeout: MEDIA_MS }),
  ]);

  const hasFrames = () => {
    const video = (globalThis as Win).document.querySelector('#remote-video');
    return !!video && video.videoWidth > 0 && video.readyState >= 2;
  };
  await Promise.all([
    a.waitForFunction(hasFrames, null, { timeout: MEDIA_MS }),
    b.waitForFunction(hasFrames, null, { timeout: MEDIA_MS }),
  ]);
  const localFrames = () => (globalThis as Win).document.querySelector('#local-video')?.videoWidth > 0;
  await a.waitForFunction(localFrames, null, { timeout: MEDIA_MS });

  // Chat works inside a video room too.
  await a.fill('#message-input', 'can you see me?');
  await a.click('#send');
  await b.waitForSelector('#messages .message.theirs:has-text("can you see me?")', { timeout: STEP_MS });

  await screenshot(a, 'video-a');
  await screenshot(b, 'video-b');
});

test('next: skipping ends the room for the partner and re-queues the skipper', async () => {
  const a = await openDemo('A');
  const b = await openDemo('B');

  await pair(a, b, 'chat');
  await a.click('#next');

  await waitForStatus(b, 'Stranger left');
  await waitForStatus(a, 'Waiting');
  expect(await b.evaluate(() => (globalThis as Win).__demo.state)).toBe('partner_left');
  expect(await b.locator('#message-input').isDisabled()).toBe(true);

  // A is back in the queue: a third stranger pairs with A, not with B (who did not re-queue).
  const c = await openDemo('C');
  await start(c, 'chat');
  await Promise.all([waitForStatus(a, 'Connected'), waitForStatus(c, 'Connected')]);
  await waitForStatus(b, 'Stranger left');

  await screenshot(a, 'next-a');
  await screenshot(b, 'next-b');
});
