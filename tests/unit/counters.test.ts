import { addTotals, emptyTotals, totalStats, TOTAL_COUNTERS, TOTAL_NAMES } from '../../src/domain/counters';

describe('the one list of totals', () => {
  test('emptyTotals has every listed counter at zero', () => {
    const totals = emptyTotals();
    for (const name of TOTAL_NAMES) expect(totals[name]).toBe(0);
  });

  test('addTotals sums every counter and refusal, treating fields an older node lacks as zero', () => {
    const sum = emptyTotals();
    addTotals(sum, { ...emptyTotals(), matches: 2, bans: 1, refusals: { ...emptyTotals().refusals, BANNED: 3 } });
    addTotals(sum, { matches: 5 });
    expect(sum).toMatchObject({ matches: 7, bans: 1, messagesRelayed: 0 });
    expect(sum.refusals.BANNED).toBe(3);
  });

  test('totalStats names each counter as /stats does', () => {
    const totals = { ...emptyTotals(), matches: 4, signalsRelayed: 9 };
    const stats = totalStats(totals);
    expect(stats).toMatchObject({ matchesMade: 4, signalsRelayed: 9 });
    expect(Object.keys(stats).sort()).toEqual(TOTAL_NAMES.map((name) => TOTAL_COUNTERS[name].stat).sort());
  });
});
