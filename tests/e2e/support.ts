/**
 * Shared steps of the browser suites: a real server in this process, headless Chromium with a fake
 * camera, and the demo page driven the way a person would.
 *
 * Functions evaluated in the page reach the DOM through `globalThis as any`, so these files need no
 * DOM typings. They are real functions, not strings: Playwright polls string predicates with eval(),
 * which the server's Content-Security-Policy (rightly) forbids.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { createServer } from '../../src/server';

export type Win = any;

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(__dirname, 'artifacts');
export const STEP_MS = 15_000; // deadline for one UI step (pairing, a message arriving, ...)
export const MEDIA_MS = 30_000; // deadline for WebRTC to connect and frames to flow
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

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

/** Loose defaults for a demo server; a test passes what it needs on top. */
const DEMO_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  PORT: '0',
  HOST: '127.0.0.1',
  MATCH_INTEREST_TIMEOUT_MS: '500',
  REMATCH_COOLDOWN_MS: '0',
  RECONNECT_GRACE_MS: '0',
  USER_COUNT_INTERVAL_MS: '200',
};

export interface DemoServer {
  server: ReturnType<typeof createServer>;
  baseUrl: string;
}

export async function startDemoServer(env: Record<string, string> = {}): Promise<DemoServer> {
  const server = createServer(loadConfig({ ...DEMO_ENV, ...env }));
  const port = await server.listen();
  return { server, baseUrl: `http://127.0.0.1:${port}` };
}

export function launchChromium(): Promise<Browser> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: STEP_MS });
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  /** Lets the test inject axe-core, an inline script the page's CSP would refuse. */
  bypassCSP?: boolean;
  /** Runs in the page before its own scripts (not subject to the page's CSP). */
  initScript?: () => void;
}

export interface SessionOptions {
  /** A page's console.error counts as a page error (otherwise it is only printed). */
  consoleErrorsFail?: boolean;
}

/** Browser contexts and page errors of the current test, closed and checked by `end`. */
export class DemoSession {
  private readonly contexts: BrowserContext[] = [];
  readonly pageErrors: string[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly baseUrl: () => string,
    private readonly options: SessionOptions = {},
  ) {}

  /** A fresh browser context (own socket) with camera/mic granted, on the demo page, connected. */
  async open(label: string, options: OpenOptions = {}): Promise<Page> {
    const page = await this.openPage(label, '/', options);
    const baseUrl = this.baseUrl();
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

  /** A fresh browser context with camera/mic granted, on the server's `path` (e.g. '/admin/'). */
  async openPage(label: string, path: string, options: OpenOptions = {}): Promise<Page> {
    const context = await this.browser.newContext({
      viewport: options.viewport ?? DESKTOP,
      colorScheme: options.colorScheme ?? 'light',
      bypassCSP: options.bypassCSP ?? false,
    });
    this.contexts.push(context);
    const baseUrl = this.baseUrl();
    await context.grantPermissions(['camera', 'microphone'], { origin: baseUrl });
    const page = await context.newPage();
    if (options.initScript) await page.addInitScript(options.initScript);
    page.setDefaultTimeout(STEP_MS);
    page.on('pageerror', (error) => this.pageErrors.push(`[${label}] ${error.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const line = `[${label}] console.error: ${msg.text()}`;
      if (this.options.consoleErrorsFail) this.pageErrors.push(line);
      else console.log(line);
    });
    await page.goto(`${baseUrl}${path}`, { timeout: STEP_MS });
    return page;
  }

  /** Closes every context and returns the page errors seen meanwhile. */
  async end(): Promise<string[]> {
    await Promise.all(this.contexts.splice(0).map((context) => context.close().catch(() => undefined)));
    return this.pageErrors.splice(0);
  }
}

export interface DemoSuite {
  readonly demo: DemoServer;
  readonly browser: Browser;
  /** The current test's pages: closed after it, and its page errors fail it. */
  readonly session: DemoSession;
}

/**
 * One demo server (with `env`, read when the suite starts) and one Chromium for every test of the
 * calling file; after each test its pages are closed and it fails on any page error. Register a
 * file's own beforeAll before calling this when the server's env depends on it.
 */
export function useDemoSuite({
  env = {},
  ...options
}: { env?: Record<string, string> | (() => Record<string, string>) } & SessionOptions = {}): DemoSuite {
  let demo: DemoServer | undefined;
  let browser: Browser | undefined;
  let session: DemoSession | undefined;
  beforeAll(async () => {
    demo = await startDemoServer(typeof env === 'function' ? env() : env);
    browser = await launchChromium();
    session = new DemoSession(browser, () => demo!.baseUrl, options);
  });
  afterEach(async () => {
    if (session) expect(await session.end()).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.server.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useDemoSuite: not started (read it inside a test)');
    return value;
  };
  return {
    get demo() {
      return started(demo);
    },
    get browser() {
      return started(browser);
    },
    get session() {
      return started(session);
    },
  };
}

export async function waitForStatus(page: Page, text: string, timeout = STEP_MS): Promise<void> {
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

export async function waitForState(page: Page, state: string, timeout = STEP_MS): Promise<void> {
  await page.waitForFunction((want) => (globalThis as Win).__demo.state === want, state, { timeout });
}

export async function start(page: Page, type: 'chat' | 'video', interests = ''): Promise<void> {
  await page.click(`#type-${type}`);
  if (interests) await page.fill('#interests', interests);
  await page.click('#start');
}

export async function pair(a: Page, b: Page, type: 'chat' | 'video', interests = ''): Promise<void> {
  await start(a, type, interests);
  await waitForStatus(a, 'Waiting');
  await start(b, type, interests);
  await Promise.all([waitForStatus(a, 'Connected'), waitForStatus(b, 'Connected')]);
}

/** The call is up: the peer connection is connected and remote frames keep arriving. */
export async function callWorks(page: Page): Promise<void> {
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

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}
