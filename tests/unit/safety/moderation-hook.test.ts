import { askModerationHook, HookFailure, verdictFromAnswer, verdictOnFailure } from '../../../src/safety/moderation-hook';
import { startStubServer } from '../../helpers/stub-http';

describe('moderation hook answers', () => {
  test('allow keeps the text, reject drops it, replace delivers the trimmed replacement', () => {
    expect(verdictFromAnswer({ action: 'allow' }, 'hi', 10)).toEqual({ outcome: 'allow', text: 'hi' });
    expect(verdictFromAnswer({ action: 'reject', text: 'ignored' }, 'hi', 10)).toEqual({ outcome: 'reject' });
    expect(verdictFromAnswer({ action: 'replace', text: ' *** ' }, 'hi', 10)).toEqual({ outcome: 'replace', text: '***' });
  });

  test.each([
    [null],
    ['allow'],
    [{}],
    [{ action: 'maybe' }],
    [{ action: 'replace' }],
    [{ action: 'replace', text: '  ' }],
    [{ action: 'replace', text: 'x'.repeat(11) }],
  ])('%j is no answer', (answer) => {
    expect(verdictFromAnswer(answer, 'hi', 10)).toBeUndefined();
  });

  test('a failure delivers when open and refuses when closed', () => {
    expect(verdictOnFailure('open', 'hi')).toEqual({ outcome: 'failed_open', text: 'hi' });
    expect(verdictOnFailure('closed', 'hi')).toEqual({ outcome: 'failed_closed' });
  });
});

describe('askModerationHook', () => {
  test('a hook answering something that is not JSON fails without quoting it (it may echo the text)', async () => {
    const stub = await startStubServer((_request, response) => response.end('not json: meet me at 555-0100'));
    try {
      const failure = await askModerationHook(
        { url: stub.url, timeoutMs: 2000, failMode: 'open' },
        { roomId: 'r', senderId: 's', text: 'meet me at 555-0100' },
        100,
      ).catch((error: unknown) => error as Error);
      expect(failure).toBeInstanceOf(HookFailure);
      expect(String((failure as Error).message)).not.toContain('555-0100');
    } finally {
      await stub.close();
    }
  });
});
