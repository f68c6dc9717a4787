import { Registry } from 'prom-client';
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { createMessagePolicy } from '../../../src/safety/message-policy';
import { createSafetyMetrics } from '../../../src/safety/safety-metrics';

function policyFor(env: Record<string, string>) {
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  return createMessagePolicy(config, createSafetyMetrics(new Registry()), createLogger(config));
}

describe('message policy', () => {
  test('is absent when the filter and the hook are off, so messages cost nothing extra', () => {
    expect(policyFor({})).toBeUndefined();
  });

  test('the contact filter alone refuses contact details and passes the rest unchanged', async () => {
    const policy = policyFor({ MESSAGE_FILTER: 'contact' })!;
    const message = { roomId: 'r', senderId: 's' };
    expect(await policy({ ...message, text: 'see www.example.org' })).toBeUndefined();
    expect(await policy({ ...message, text: 'good evening' })).toBe('good evening');
  });
});
