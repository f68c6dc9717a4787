import { createLogger } from '../../src/logger';
import { installShutdown } from '../../src/shutdown';

const logger = createLogger({ nodeEnv: 'test', logLevel: 'info', logLevelExplicit: false });
let exit: jest.SpyInstance;
const EVENTS = ['SIGTERM', 'SIGINT', 'uncaughtException', 'unhandledRejection'];
/** Untyped views of `process`, since signals and error events have different listener types. */
const listenersOf = (event: string) => process.listeners(event as 'SIGTERM') as unknown[];
const emit = (event: string, ...args: unknown[]) =>
  (process.emit as (name: string, ...rest: unknown[]) => boolean)(event, ...args);
let before: Map<string, unknown[]>;

beforeEach(() => {
  // Fake timers so the shutdown deadline never fires for real later in this worker's life.
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  before = new Map(EVENTS.map((event) => [event, listenersOf(event)]));
});
afterEach(() => {
  for (const event of EVENTS) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)!.includes(listener)) process.off(event, listener as never);
    }
  }
  exit.mockRestore();
  jest.clearAllTimers();
  jest.useRealTimers();
});

test('the first signal starts one graceful close; a second signal exits at once with 1', () => {
  const close = jest.fn(() => new Promise<void>(() => {}));
  installShutdown({ close, logger }, 10_000);
  process.emit('SIGTERM');
  expect(close).toHaveBeenCalledTimes(1);
  expect(exit).not.toHaveBeenCalled();
  process.emit('SIGINT');
  expect(exit).toHaveBeenCalledWith(1);
  expect(close).toHaveBeenCalledTimes(1);
});

test('a close that overruns the deadline exits with 1', () => {
  installShutdown({ close: () => new Promise<void>(() => {}), logger }, 50);
  process.emit('SIGTERM');
  jest.advanceTimersByTime(49);
  expect(exit).not.toHaveBeenCalled();
  jest.advanceTimersByTime(1);
  expect(exit).toHaveBeenCalledWith(1);
});

test('an uncaught exception starts the same graceful close and exits with 1 once it is done', async () => {
  let finish: () => void = () => {};
  const close = jest.fn(() => new Promise<void>((resolve) => (finish = resolve)));
  const quietLogger = createLogger({ nodeEnv: 'test', logLevel: 'info', logLevelExplicit: false });
  installShutdown({ close, logger: quietLogger }, 10_000);
  emit('uncaughtException', new Error('boom'));
  expect(close).toHaveBeenCalledTimes(1);
  expect(exit).not.toHaveBeenCalled();
  finish();
  await new Promise((resolve) => setImmediate(resolve));
  jest.advanceTimersByTime(500);
  expect(exit).toHaveBeenCalledWith(1);
});

test('an unhandled rejection starts the graceful close too', () => {
  const close = jest.fn(() => new Promise<void>(() => {}));
  installShutdown({ close, logger }, 10_000);
  emit('unhandledRejection', new Error('lost promise'), Promise.resolve());
  expect(close).toHaveBeenCalledTimes(1);
});

test('a fault during a shutdown under way is logged, lets the close finish, and makes the exit code 1', async () => {
  let finish: () => void = () => {};
  const close = jest.fn(() => new Promise<void>((resolve) => (finish = resolve)));
  installShutdown({ close, logger: createLogger({ nodeEnv: 'test', logLevel: 'info', logLevelExplicit: false }) }, 10_000);
  process.emit('SIGTERM');
  emit('unhandledRejection', new Error('lost promise'), Promise.resolve());
  emit('uncaughtException', new Error('boom'));
  expect(exit).not.toHaveBeenCalled();
  expect(close).toHaveBeenCalledTimes(1);
  finish();
  await new Promise((resolve) => setImmediate(resolve));
  jest.advanceTimersByTime(500);
  expect(exit).toHaveBeenCalledWith(1);
  expect(exit).not.toHaveBeenCalledWith(0);
});
