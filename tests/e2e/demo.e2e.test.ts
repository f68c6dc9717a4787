/**
 * Browser end-to-end tests: the demo client in public/ against the real server, in headless Chromium
 * with a fake camera. Run with `npm run test:e2e` (see run-e2e.js: loopback-only network namespace).
 *
 * Functions evaluated in the page reach the DOM through `globalThis as any`, so this file needs no DOM
 * typings. They are real functions, not strings: Playwright polls string predicates with eval(), which
 * the server's Content-Security-Policy (rightly) forbids.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createServer } from '../../src/server';
import { loadConfig } from '../../src/config';

type Win = any;

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, 'artifacts');
const STEP_MS = 15_000; // deadline for one UI step (pairing, a message arriving, ...)
const MEDIA_MS = 30_000; // deadline for WebRTC to connect and frames to flow

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
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
  if (process.env.E2E_NETNS !== '1') {
    console.warn('[e2e] not inside the isolated network namespace: run via `npm run test:e2e`');
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = createServer(
    loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      MATCH_INTEREST_TIMEOUT_MS: '500',
      REMATCH_COOLDOWN_MS: '0',
      RECONNECT_GRACE_MS: '0',
      USER_COUNT_INTERVAL_MS: '200',
    }),
  );
  const port = await server.listen();
  baseUrl = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: STEP_MS });
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close().catch(() => undefined)));
  const errors = pageErrors.splice(0);
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

// ---- helpers -------------------------------------------------------------------------------

/** A fresh browser context (own cookies, own socket) with camera/mic granted, on the demo page. */
async function openDemo(label: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  contexts.push(context);
  await context.grantPermissions(['camera', 'microphone'], { origin: baseUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on('pageerror', (error) => pageErrors.push(`[${label}] ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.log(`[${label}] console.error: ${msg.text()}`);
  });
  await page.goto(`${baseUrl}/`, { timeout: STEP_MS });
  if (!(await page.evaluate(() => typeof (globalThis as Win).io === 'function'))) {
    const status = await page.request
      .get(`${baseUrl}/socket.io/socket.io.js`, { timeout: STEP_MS })
      .then((response) => `HTTP ${response.status()}`)
      .catch((error: Error) => error.message.split('\n')[0]);
    throw new Error(`[${label}] the Socket.io client script /socket.io/socket.io.js did not load (${status})`);
  }
  // The server sends `session` first on connect: the page knows its own anonymous id.
  await page.waitForFunction(() => typeof (globalThis as Win).__demo?.userId === 'string', null, { timeout: STEP_MS });
  return page;
}

async function waitForStatus(page: Page, text: string, timeout = STEP_MS): Promise<void> {
  try {
    await page.waitForFunction(
      (want) => ((globalThis as Win).document.querySelector('#status')?.textContent ?? '').includes(want),
      text,
      { timeout },
    );
  } catch (error) {
    const actual = await page
      .locator('#status')
      .textContent()
      .catch(() => '?');
    throw new Error(`status never contained ${JSON.stringify(text)}; last status: ${JSON.stringify(actual)}`, { cause: error });
  }
}

async function start(page: Page, type: 'chat' | 'video', interests = ''): Promise<void> {
  await page.click(`#type-${type}`);
  if (interests) await page.fill('#interests', interests);
  await page.click('#start');
}

async function pair(a: Page, b: Page, type: 'chat' | 'video', interests = ''): Promise<void> {
  await start(a, type, interests);
  await waitForStatus(a, 'Waiting');
  await start(b, type, interests);
  await Promise.all([waitForStatus(a, 'Connected'), waitForStatus(b, 'Connected')]);
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

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
