/**
 * Browser end-to-end test of the reconnect grace in a video call: the demo client in public/ against
 * the real server, in headless Chromium with a fake camera. Run with `npm run test:e2e`.
 * (The demo's own suite is demo.e2e.test.ts; this file keeps the grace on, which that one turns off.)
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { createServer } from '../../src/server';

type Win = any;

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STEP_MS = 15_000;
const MEDIA_MS = 30_000;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

let server: ReturnType<typeof createServer>;
let baseUrl: string;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  server = createServer(
    loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', RECONNECT_GRACE_MS: '10000', REMATCH_COOLDOWN_MS: '0' }),
  );
  baseUrl = `http://127.0.0.1:${await server.listen()}`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: STEP_MS });
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close().catch(() => undefined)));
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openDemo(label: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  await context.grantPermissions(['camera', 'microphone'], { origin: baseUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on('pageerror', (error) => pageErrors.push(`[${label}] ${error.message}`));
  await page.goto(`${baseUrl}/`);
  await page.waitForFunction(() => typeof (globalThis as Win).__demo?.userId === 'string');
  return page;
}

function statusContains(page: Page, text: string): Promise<unknown> {
  return page.waitForFunction(
    (want) => ((globalThis as Win).document.querySelector('#status')?.textContent ?? '').includes(want),
    text,
  );
}

/** The call is up: the peer connection is connected and remote frames keep arriving. */
async function callWorks(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as Win).__demo.pc?.connectionState === 'connected', null, { timeout: MEDIA_MS });
  const framesNow = await page.evaluate(
    () => (globalThis as Win).document.querySelector('#remote-video')?.getVideoPlaybackQuality?.().totalVideoFrames ?? 0,
  );
  await page.waitForFunction(
    (before) => {
      const video = (globalThis as Win).document.querySelector('#remote-video');
      return video?.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames > before;
    },
    framesNow,
    { timeout: MEDIA_MS },
  );
}

test('video: a signalling socket that blips comes back to the same working call', async () => {
  const a = await openDemo('A');
  const b = await openDemo('B');
  for (const [page, wait] of [
    [a, 'Waiting'],
    [b, 'Connected'],
  ] as const) {
    await page.click('#type-video');
    await page.click('#start');
    await statusContains(page, wait);
  }
  await Promise.all([callWorks(a), callWorks(b)]);
  const userId = await a.evaluate(() => (globalThis as Win).__demo.userId);
  const roomId = await a.evaluate(() => (globalThis as Win).__demo.roomId);

  // A's network blips: the transport closes, socket.io-client reconnects and recovers the session.
  await a.evaluate(() => (globalThis as Win).__demo.socket.io.engine.close());
  await statusContains(b, 'Stranger lost connection');
  await b.fill('#message-input', 'sent while you were away');
  await b.click('#send');
  await statusContains(b, 'Stranger is back');
  await statusContains(a, 'Still with the stranger');
  expect(await a.evaluate(() => (globalThis as Win).__demo.userId)).toBe(userId);
  expect(await a.evaluate(() => (globalThis as Win).__demo.roomId)).toBe(roomId);
  await a.waitForSelector('#messages .message.theirs:has-text("sent while you were away")');

  await Promise.all([callWorks(a), callWorks(b)]);
  await a.fill('#message-input', 'back, and I can see you');
  await a.click('#send');
  await b.waitForSelector('#messages .message.theirs:has-text("back, and I can see you")');
});
