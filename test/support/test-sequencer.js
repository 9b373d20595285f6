import Sequencer from '@jest/test-sequencer';

/**
 * Seconds a suite of each project takes, for a run with no timings of its own yet (a fresh
 * clone): the browser and packaging suites are by far the longest (Chromium, hosts built from the
 * packed package), so they must start first rather than be left for the end of the run.
 */
const FIRST_RUN_SECONDS = {
  browser: 60,
  packaging: 30,
  conformance: 10,
  postgres: 8,
  e2e: 5,
  unit: 1,
};

/**
 * Jest's order (the suites that failed last time first, then the longest first), with an
 * estimate for the suites it has no timing of yet: by project, then the larger file first.
 */
export default class TestSequencer extends Sequencer {
  time(test) {
    const measured = super.time(test);
    if (measured !== undefined) return measured;
    const estimate = FIRST_RUN_SECONDS[test.context.config.displayName?.name];
    if (estimate === undefined) return undefined;
    return estimate * 1000 + (test.context.hasteFS.getSize(test.path) ?? 0) / 100;
  }
}
