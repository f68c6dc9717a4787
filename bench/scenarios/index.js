'use strict';
/**
 * Every scenario, in the order they run and appear in the results table. Each module exports
 * { name, aliases, run(harness, results), report(table, results, out) }; BENCH_SCENARIOS takes
 * names or aliases (the old letters a–e and r keep working).
 */
const SCENARIOS = [
  require('./pairing'),
  require('./relay'),
  require('./idle'),
  require('./signal'),
  require('./churn'),
  require('./redis'),
  require('./handshake-flood'),
];

/** The scenarios a comma-separated list names, in SCENARIOS order; throws on an unknown name. */
function select(list) {
  const wanted = new Set();
  for (const token of list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)) {
    const s = SCENARIOS.find((x) => x.name === token || x.aliases.includes(token));
    if (!s) {
      const known = SCENARIOS.map((x) => `${x.name} (${x.aliases.join(', ')})`).join(', ');
      throw new Error(`BENCH_SCENARIOS: unknown scenario "${token}"; known: ${known}`);
    }
    wanted.add(s);
  }
  return SCENARIOS.filter((s) => wanted.has(s));
}

module.exports = { SCENARIOS, select };
