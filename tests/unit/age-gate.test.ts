import { agePool, decideAgeGroup } from '../../src/safety/age-gate';

describe('decideAgeGroup', () => {
  test('off ignores any declaration and locks nothing', () => {
    expect(decideAgeGroup('off', undefined, 'teen')).toEqual({});
    expect(decideAgeGroup('off', undefined, undefined)).toEqual({});
  });

  test('adult-only admits adults only, and a refused teen stays a teen', () => {
    expect(decideAgeGroup('adult-only', undefined, 'adult')).toEqual({ locked: 'adult' });
    expect(decideAgeGroup('adult-only', undefined, undefined)).toEqual({ refusal: 'AGE_CONFIRMATION_REQUIRED' });
    expect(decideAgeGroup('adult-only', undefined, 'teen')).toEqual({ locked: 'teen', refusal: 'AGE_CONFIRMATION_REQUIRED' });
    expect(decideAgeGroup('adult-only', 'teen', 'adult')).toEqual({ locked: 'teen', refusal: 'AGE_GROUP_LOCKED' });
    expect(decideAgeGroup('adult-only', 'teen', undefined)).toEqual({ locked: 'teen', refusal: 'AGE_CONFIRMATION_REQUIRED' });
  });

  test('split needs a group, keeps the first one, and accepts a join that omits it later', () => {
    expect(decideAgeGroup('split', undefined, undefined)).toEqual({ refusal: 'AGE_CONFIRMATION_REQUIRED' });
    expect(decideAgeGroup('split', undefined, 'teen')).toEqual({ locked: 'teen' });
    expect(decideAgeGroup('split', 'teen', 'teen')).toEqual({ locked: 'teen' });
    expect(decideAgeGroup('split', 'teen', undefined)).toEqual({ locked: 'teen' });
    expect(decideAgeGroup('split', 'adult', 'teen')).toEqual({ locked: 'adult', refusal: 'AGE_GROUP_LOCKED' });
  });
});

test('agePool partitions the queue only when split', () => {
  expect(agePool('split', 'teen')).toBe('teen');
  expect(agePool('adult-only', 'adult')).toBeUndefined();
  expect(agePool('off', undefined)).toBeUndefined();
});
