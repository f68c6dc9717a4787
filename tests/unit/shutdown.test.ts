import { createLogger } from '../../src/logger';
import { installShutdown } from '../../src/shutdown';

const logger = createLogger({ nodeEnv: 'test', logLevel: 'info', logLevelExplicit: false });
let exit: jest.SpyInstance;
let before: Record<'SIGTERM' | 'SIGINT', NodeJS.SignalsListener[]>;

beforeEach(() => {
  // Fake timers so the shutdown deadline never fires for real later in this worker's life.
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  before = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
});
afterEach(() => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    for (const listener of process.listeners(signal)) {
      if (!before[signal].includes(listener)) process.off(signal, listener);
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
