// Shared fast-check settings for the core's property tests. Each property passes these
// explicitly (no global configuration), so a test file read alone shows how hard it is run.
// fast-check prints the seed and the counterexample's path on failure; replay one with
// `{ ...PROPERTY_PARAMETERS, seed, path }`.
import type fc from 'fast-check';

/** Runs of every property, per test run. */
const PROPERTY_RUNS = 200;

/** Parameters for `fc.assert` in the core's property tests. */
export const PROPERTY_PARAMETERS: fc.Parameters<unknown> = { numRuns: PROPERTY_RUNS };
