import { verdictFromAnswer, verdictOnFailure } from '../../../src/safety/moderation-hook';

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
