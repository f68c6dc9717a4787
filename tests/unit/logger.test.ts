import { serializeErrors } from '../../src/logger';

describe('serializeErrors', () => {
  test('an Error in the log context keeps its message and stack', () => {
    const error = new Error('redis went away');
    const info = serializeErrors().transform({ level: 'error', message: 'failed', error }) as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify(info.error))).toEqual({ name: 'Error', message: 'redis went away', stack: error.stack });
  });

  test('other context values are left alone', () => {
    const info = serializeErrors().transform({ level: 'info', message: 'ok', userId: 'u1', count: 2 });
    expect(info).toMatchObject({ userId: 'u1', count: 2 });
  });
});
