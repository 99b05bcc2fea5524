/**
 * Imports that break a boundary today and are being removed by work in progress elsewhere.
 * `npm test` prints them as "known, to be removed" instead of failing; an entry whose import is
 * gone is reported as stale. Empty this list as each refactor lands: never add to it to silence
 * a new violation.
 */

/** One known violating import (file pair, whatever the line). */
export interface KnownViolation {
  /** Importing file, repository-relative. */
  file: string;
  /** Imported file, repository-relative. */
  target: string;
  /** What removes it. */
  why: string;
}

/** The known violations. */
export const KNOWN_VIOLATIONS: readonly KnownViolation[] = [
  // The dev and test stacks start the simulators from tests/support/simulators; they move to the
  // top-level simulators/ folder, which scripts/ may import.
  {
    file: "scripts/lib/provider_stack.ts",
    target: "tests/support/simulators/openrouter_sim.ts",
    why: "simulators move to simulators/",
  },
  {
    file: "scripts/lib/provider_stack.ts",
    target: "tests/support/simulators/replicate_sim.ts",
    why: "simulators move to simulators/",
  },
  {
    file: "scripts/lib/provider_stack.ts",
    target: "tests/support/simulators/standard_webhooks.ts",
    why: "simulators move to simulators/",
  },
  {
    file: "scripts/lib/storage_stack.ts",
    target: "tests/support/simulators/storage_sim.ts",
    why: "simulators move to simulators/",
  },
];
