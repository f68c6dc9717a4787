/**
 * The demo page in the states a person meets: refusals from the server, a phone screen, the
 * keyboard, the age question, and an axe-core accessibility check at both sizes in both themes.
 * Run with `npm run test:e2e`. Screenshots of each state land in tests/e2e/artifacts/.
 */
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  DESKTOP,
  DemoSession,
  PHONE,
  launchChromium,
  pair,
  screenshot,
  start,
  startDemoServer,
  waitForState,
  waitForStatus,
  type DemoServer,
  type Win,
} from './support';

let browser: Browser;
let demo: DemoServer;
let session: DemoSession;

beforeAll(async () => {
  browser = await launchChromium();
});

afterEach(async () => {
  expect(await session.end()).toEqual([]);
  await demo.server.close();
});

afterAll(async () => {
  await browser?.close();
});

async function useServer(env: Record<string, string> = {}): Promise<void> {
  demo = await startDemoServer(env);
  session = new DemoSession(browser, () => demo.baseUrl);
}

async function say(from: Page, to: Page, text: string): Promise<void> {
  await from.fill('#message-input', text);
  await from.press('#message-input', 'Enter');
  await to.waitForSelector(`#messages .message.theirs:has-text("${text}")`);
}

async function activeElementId(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as Win).document.activeElement?.id ?? '');
}

const CONTROL_IDS = ['stop', 'report', 'block', 'next', 'start', 'message-input', 'send'];

/** Every control that is shown lies fully inside the viewport, without scrolling. */
async function expectControlsOnScreen(page: Page, state: string): Promise<void> {
  const viewport = page.viewportSize()!;
  const offScreen = await page.evaluate(
    ({ ids, width, height }) => {
      const doc = (globalThis as Win).document;
      return ids
        .map((id: string) => doc.getElementById(id))
        .filter((el: Win) => el && el.getClientRects().length > 0)
        .map((el: Win) => ({ id: el.id, box: el.getBoundingClientRect() }))
        .filter(({ box }: Win) => box.top < 0 || box.left < 0 || box.bottom > height || box.right > width)
        .map(({ id, box }: Win) => `${id} at ${Math.round(box.left)},${Math.round(box.top)}–${Math.round(box.bottom)}`);
    },
    { ids: CONTROL_IDS, width: viewport.width, height: viewport.height },
  );
  expect({ state, offScreen }).toEqual({ state, offScreen: [] });
}

/** Lets a test hide the tab (headless Chromium never does by itself). */
function fakeVisibility(): void {
  const w = globalThis as Win;
  let hidden = false;
  const proto = w.Document.prototype;
  Object.defineProperty(proto, 'hidden', { configurable: true, get: () => hidden });
  Object.defineProperty(proto, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  w.__setHidden = (value: boolean) => {
    hidden = value;
    w.document.dispatchEvent(new w.Event('visibilitychange'));
  };
}

async function isShown(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).isVisible();
}

describe('refusals', () => {
  beforeEach(() => useServer({ JOIN_RATE_LIMIT_POINTS: '2', JOIN_RATE_LIMIT_DURATION: '300' }));

  test('an invalid interest, a rate-limited Next and a ban each undo the page state with a clear message', async () => {
    const a = await session.open('A');
    const b = await session.open('B');

    // An interest over 32 characters: the field is marked, the page is back at rest.
    await a.fill('#interests', 'x'.repeat(40));
    await a.click('#start');
    await a.waitForSelector('#interests[aria-invalid="true"]');
    expect(await a.locator('#interests-error').textContent()).toContain('32 characters');
    await waitForState(a, 'idle');
    expect(await a.locator('#start').isEnabled()).toBe(true);
    expect(await a.locator('#status').textContent()).not.toMatch(/preferences|Too big/);
    await screenshot(a, 'refused-interests');

    // Fixed, A meets B; A's Next is over its budget: both stay in the room and can still talk.
    await a.fill('#interests', '');
    await pair(a, b, 'chat');
    expect(await a.locator('#interests').getAttribute('aria-invalid')).toBeNull();
    await a.click('#next');
    await waitForStatus(a, 'Slow down');
    await waitForState(a, 'connected');
    expect(await a.locator('#next').isDisabled()).toBe(true);
    expect(await a.locator('#next').textContent()).toMatch(/^Next \(\d+ min \d+ s\)$/);
    expect(await b.evaluate(() => (globalThis as Win).__demo.state)).toBe('connected');
    await say(a, b, 'still here');
    await screenshot(a, 'refused-next-rate-limited');

    // B reports A: a reason from the server's list is required, then the room ends for both.
    await b.click('#report');
    await b.waitForSelector('#report-dialog[open]');
    const reasons = await b.locator('#report-reasons input[type="radio"]').count();
    const clientConfig = (await (await fetch(`${demo.baseUrl}/client-config`)).json()) as { reportReasons: string[] };
    expect(reasons).toBe(clientConfig.reportReasons.length);
    await b.click('#report-confirm');
    await b.waitForSelector('#report-error', { state: 'visible' });
    await b.check('#report-reasons input[value="spam"]');
    await screenshot(b, 'report-dialog');
    await b.click('#report-confirm');
    await waitForStatus(b, 'reported');
    await waitForState(a, 'partner_left');

    // A banned user (a moderator's ban, straight into the store: reports from one address never
    // count) is refused with a banner that says how long, and cannot press Start meanwhile.
    const c = await session.open('C');
    const now = Date.now();
    const bannedId = await c.evaluate(() => (globalThis as Win).__demo.userId);
    await demo.server.services.moderation.addBan({
      id: 'e2e-ban',
      userId: bannedId,
      until: now + 2 * 3600_000,
      reason: 'e2e',
      mode: 'hard',
      actor: 'e2e',
      at: now,
    });
    await c.click('#start');
    await c.waitForSelector('#banner', { state: 'visible' });
    expect(await c.locator('#banner').textContent()).toMatch(/banned.*again in [12] h \d+ min/);
    await waitForState(c, 'idle');
    expect(await c.locator('#start').isDisabled()).toBe(true);
    await screenshot(c, 'refused-banned');
  });
});

describe('phone, keyboard and media', () => {
  beforeEach(() => useServer());

  test('phone 390×844, video: controls on screen in every state, settings hidden in a call, media toggles, title notice, Block', async () => {
    const a = await session.open('A', { viewport: PHONE, initScript: fakeVisibility });
    const b = await session.open('B', { viewport: PHONE });
    await expectControlsOnScreen(a, 'idle');
    await screenshot(a, 'phone-idle');

    await start(a, 'video');
    await waitForState(a, 'waiting');
    await expectControlsOnScreen(a, 'waiting');
    expect(await isShown(a, '.setup')).toBe(false);
    await screenshot(a, 'phone-video-waiting');

    // A's tab is in the background when B arrives and writes: A's title says so until A looks.
    await a.evaluate(() => (globalThis as Win).__setHidden(true));
    await start(b, 'video');
    await Promise.all([waitForState(a, 'connected'), waitForState(b, 'connected')]);
    await a.waitForFunction(() => (globalThis as Win).document.title.startsWith('(1) New stranger'));
    for (let i = 1; i <= 8; i += 1) await b.fill('#message-input', `line ${i}`).then(() => b.press('#message-input', 'Enter'));
    await a.waitForSelector('#messages .message.theirs:has-text("line 8")');
    expect(await a.title()).toMatch(/^\(9\) New message/);
    await a.evaluate(() => (globalThis as Win).__setHidden(false));
    expect(await a.title()).toBe('Random Chat');
    for (const page of [a, b]) {
      await expectControlsOnScreen(page, 'video call');
      expect(await isShown(page, '.setup')).toBe(false);
      expect((await page.locator('#remote-video').boundingBox())!.height).toBeGreaterThan(100);
    }
    await screenshot(b, 'phone-video-connected');

    const tracksEnabled = () => {
      const stream = (globalThis as Win).document.querySelector('#local-video').srcObject;
      return { audio: stream.getAudioTracks()[0].enabled, video: stream.getVideoTracks()[0].enabled };
    };
    expect(await a.evaluate(tracksEnabled)).toEqual({ audio: true, video: true });
    await a.click('#toggle-mic');
    await a.click('#toggle-camera');
    expect(await a.evaluate(tracksEnabled)).toEqual({ audio: false, video: false });
    expect(await a.locator('#toggle-mic').getAttribute('aria-pressed')).toBe('true');
    await screenshot(a, 'phone-media-toggled-off');
    await a.click('#toggle-mic');
    expect(await a.evaluate(tracksEnabled)).toEqual({ audio: true, video: false });

    // Block is its own button: the room ends for both.
    await b.click('#block');
    await waitForStatus(b, 'blocked');
    await waitForState(a, 'partner_left');
    await expectControlsOnScreen(a, 'partner left');
    await expectControlsOnScreen(b, 'blocked');
    await screenshot(a, 'phone-partner-left');
  });

  test('keyboard: Enter sends, Esc twice skips with a hint, focus goes to Next when the stranger leaves', async () => {
    const a = await session.open('A');
    const b = await session.open('B');
    await pair(a, b, 'chat');

    expect(await activeElementId(a)).toBe('message-input');
    await a.keyboard.type('sent with enter');
    await a.keyboard.press('Enter');
    await b.waitForSelector('#messages .message.theirs:has-text("sent with enter")');

    // One Esc only arms the skip and says so; the second one skips.
    await a.keyboard.press('Escape');
    await a.waitForSelector('#esc-hint:has-text("Press Esc again to skip")');
    expect(await a.evaluate(() => (globalThis as Win).__demo.state)).toBe('connected');
    await screenshot(a, 'keyboard-esc-hint');
    await a.keyboard.press('Escape');
    await waitForState(a, 'waiting');
    await waitForState(b, 'partner_left');
    expect(await activeElementId(b)).toBe('next');
    await screenshot(b, 'keyboard-stranger-left');

    // From Next, Esc twice looks for someone new: B meets A again.
    await b.keyboard.press('Escape');
    await b.keyboard.press('Escape');
    await Promise.all([waitForState(a, 'connected'), waitForState(b, 'connected')]);

    // While the connection is being restored the mode cannot change.
    const lockedWhileOffline = await a.evaluate(() => {
      const w = globalThis as Win;
      w.__demo.socket.io.engine.close();
      return { state: w.__demo.state, video: w.document.querySelector('#type-video').disabled };
    });
    expect(lockedWhileOffline).toEqual({ state: 'offline', video: true });
    await a.waitForFunction(() => (globalThis as Win).__demo.state !== 'offline');
  });

  test('Stop cancels a camera that is still starting: no join is sent and the camera is released', async () => {
    const holdCamera = () => {
      const w = globalThis as Win;
      const devices = w.navigator.mediaDevices;
      const real = devices.getUserMedia.bind(devices);
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      w.__releaseCamera = () => release();
      devices.getUserMedia = (constraints: unknown) =>
        gate.then(() => real(constraints)).then((stream: unknown) => (w.__cameraStream = stream));
    };
    const a = await session.open('A', { initScript: holdCamera });
    await start(a, 'video');
    await waitForStatus(a, 'Starting camera');
    await a.click('#stop');
    await waitForState(a, 'idle');
    await a.evaluate(() => (globalThis as Win).__releaseCamera());
    // The camera did start after Stop: the page must turn it off again at once.
    await a.waitForFunction(() => {
      const stream = (globalThis as Win).__cameraStream;
      return !!stream && stream.getTracks().every((track: Win) => track.readyState === 'ended');
    });
    expect(await a.evaluate(() => (globalThis as Win).document.querySelector('#local-video').srcObject)).toBeNull();
    expect(await a.evaluate(() => (globalThis as Win).__demo.state)).toBe('idle');
    const userId = await a.evaluate(() => (globalThis as Win).__demo.userId);
    expect(await demo.server.services.queue.isWaiting(userId)).toBe(false);
  });
});

describe('age question and accessibility', () => {
  beforeEach(() => useServer({ AGE_GATE: 'split' }));

  test('the age question is asked when the server wants it, and sent with join', async () => {
    const a = await session.open('A');
    await a.waitForSelector('#age-field', { state: 'visible' });
    expect(await a.locator('#terms').textContent()).toContain('13+');
    await a.click('#start');
    await a.waitForSelector('#age-field[aria-invalid="true"]');
    expect(await a.locator('#age-error').textContent()).toContain('age group');
    await waitForState(a, 'idle');
    await screenshot(a, 'age-question-missing');

    await a.evaluate(() => {
      const w = globalThis as Win;
      w.__joins = [];
      w.__demo.socket.onAnyOutgoing((event: string, payload: unknown) => event === 'join' && w.__joins.push(payload));
    });
    await a.check('#age-teen');
    await a.click('#start');
    await waitForState(a, 'waiting');
    expect(await a.evaluate(() => (globalThis as Win).__joins)).toEqual([{ type: 'chat', preferences: {}, ageGroup: 'teen' }]);

    // The server holds a connection to its first answer: a changed answer is refused, said plainly.
    await a.click('#stop');
    await a.check('#age-adult');
    await a.click('#start');
    await a.waitForSelector('#age-error:has-text("You already said you are 13 to 17")');
    await waitForState(a, 'idle');
    expect(await a.isChecked('#age-teen')).toBe(true);
    expect(await a.isDisabled('#age-adult')).toBe(true);
    await screenshot(a, 'age-group-locked');
    await a.click('#start');
    await waitForState(a, 'waiting');
  });

  const AXE_SOURCE = path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js');

  /** axe-core's serious and critical violations on the page as it is now, one line each. */
  async function seriousViolations(page: Page): Promise<string[]> {
    if (!(await page.evaluate(() => typeof (globalThis as Win).axe === 'object'))) await page.addScriptTag({ path: AXE_SOURCE });
    const results = await page.evaluate(() =>
      (globalThis as Win).axe.run((globalThis as Win).document, { resultTypes: ['violations'] }),
    );
    return results.violations
      .filter((v: Win) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v: Win) =>
          `${v.id}: ${v.nodes.map((n: Win) => `${n.target.join(' ')} (${n.any[0]?.message ?? n.failureSummary})`).join(', ')}`,
      );
  }

  const LOOKS = [
    ['desktop', DESKTOP, 'light'],
    ['desktop', DESKTOP, 'dark'],
    ['phone', PHONE, 'light'],
    ['phone', PHONE, 'dark'],
  ] as const;

  async function expectAccessibleInEveryLook(page: Page, state: string): Promise<void> {
    for (const [size, viewport, colorScheme] of LOOKS) {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme });
      expect({ size, colorScheme, state, violations: await seriousViolations(page) }).toEqual({
        size,
        colorScheme,
        state,
        violations: [],
      });
      if (size === 'phone') await expectControlsOnScreen(page, `${state} on a phone`);
      await screenshot(page, `axe-${state}-${size}-${colorScheme}`);
    }
  }

  test('axe-core: no serious or critical violations at 1280×800 and 390×844, light and dark, at rest and in a chat', async () => {
    const a = await session.open('A', { bypassCSP: true });
    const b = await session.open('B');
    expect(await a.locator('h1').textContent()).toContain('Random Chat');
    // The online count changes every few seconds: it must not be a live region.
    expect(await a.locator('#online-count').getAttribute('aria-live')).toBeNull();
    await expectAccessibleInEveryLook(a, 'idle');

    for (const page of [a, b]) await page.check('#age-adult');
    await pair(a, b, 'chat', 'music');
    await say(a, b, 'hello');
    await say(b, a, 'hi there');
    expect(await a.locator('#messages').getAttribute('aria-live')).toBe('polite');
    expect(await a.locator('#messages .message.mine').textContent()).toMatch(/^You: hello/);
    expect(await a.locator('#messages .message.theirs').textContent()).toMatch(/^Stranger: hi there/);
    await expectAccessibleInEveryLook(a, 'chat');
  });
});

describe('relay-only video', () => {
  beforeEach(() => useServer({ ICE_RELAY_ONLY: 'true', TURN_SERVER: 'turn:127.0.0.1:3478', TURN_SECRET: 'e2e-turn-secret' }));

  test('when the server asks for relay-only ICE, the peer connection uses only relay candidates', async () => {
    const a = await session.open('A');
    const b = await session.open('B');
    await pair(a, b, 'video');
    for (const page of [a, b]) {
      await page.waitForFunction(() => !!(globalThis as Win).__demo.pc);
      expect(await page.evaluate(() => (globalThis as Win).__demo.pc.getConfiguration().iceTransportPolicy)).toBe('relay');
    }
  });
});

describe('bot check (BOT_CHECK=pow)', () => {
  beforeEach(() =>
    useServer({ BOT_CHECK: 'pow', BOT_CHECK_POW_COST: '2000', BOT_CHECK_SECRET: 'e2e-bot-check-secret-0123456789abcdef' }),
  );

  /** Counts the challenges the page fetches. */
  function countChallenges(): void {
    const w = globalThis as Win;
    const realFetch = w.fetch.bind(w);
    w.__challenges = 0;
    w.fetch = (url: string, init?: unknown) => {
      if (String(url).includes('/bot-check/challenge')) w.__challenges += 1;
      return realFetch(url, init);
    };
  }

  const challenges = (page: Page) => page.evaluate(() => (globalThis as Win).__challenges as number);

  async function dropConnection(page: Page, botPass?: string): Promise<void> {
    const stateAfterDrop = await page.evaluate((pass) => {
      const demo = (globalThis as Win).__demo;
      if (pass) demo.socket.auth = { botPass: pass };
      demo.socket.io.engine.close();
      return demo.state;
    }, botPass);
    expect(stateAfterDrop).toBe('offline');
    await waitForState(page, 'idle');
  }

  test('the page solves the challenge to connect, reconnects on its pass, and solves again when the pass is refused', async () => {
    const a = await session.open('A', { initScript: countChallenges });
    expect(await challenges(a)).toBe(1);
    expect(typeof (await a.evaluate(() => (globalThis as Win).__demo.socket.auth.botPass))).toBe('string');

    await dropConnection(a);
    expect(await challenges(a)).toBe(1);

    // A forged pass is refused at the handshake: the page solves a fresh challenge and gets back in.
    await dropConnection(a, 'forged');
    expect(await challenges(a)).toBe(2);
    expect(await a.evaluate(() => (globalThis as Win).__demo.socket.auth.botPass)).not.toBe('forged');

    const b = await session.open('B');
    await pair(a, b, 'chat');
  });
});
