/** The shapes of benchmark results (bench/results/latest.json). */

/** Median of the measured runs and their spread. */
export interface Sample {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

/** One row of the results: a figure, its anchor measured in the same run, and the target. */
export interface ResultRow {
  scenario: string;
  metric: string;
  value: number | null;
  unit: string;
  anchor: string | null;
  anchor_value: number | null;
  /** value / anchor_value (for latencies: the figure the target names, see `target`). */
  ratio: number | null;
  target: string | null;
  meets_target: boolean | null;
  /** Spread of the value over the runs. */
  spread?: { min: number; max: number; runs: number[] };
  anchor_spread?: { min: number; max: number; runs: number[] };
  /** Present when the scenario could not run: `"not built"` for functions that do not exist yet. */
  skipped?: string;
  note?: string;
}

/** A throughput-vs-concurrency point for the enqueue chart. */
export interface CurvePoint {
  series: string;
  clients: number;
  rps: number;
}

/** The whole results file. */
export interface BenchReport {
  date: string;
  quick: boolean;
  duration_seconds: number;
  machine: { cores: number; memory_mb: number; cpu_model: string; os: string };
  versions: Record<string, string>;
  load_generator: string;
  settings: Record<string, unknown>;
  results: ResultRow[];
  curve: CurvePoint[];
  /** Where the time goes, for targets not met (free text per scenario). */
  profiles: Record<string, string[]>;
}
