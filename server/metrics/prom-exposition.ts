// What `parsePrometheusText` returns: one scrape of a Prometheus text-format (0.0.4) endpoint such as
// Envoy's `/stats/prometheus`, as plain data. Server-side only: nothing here crosses the wire as is.

/** The metric types of text format 0.0.4 (`# TYPE name <type>`); families without a TYPE line are untyped. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/**
 * Label name → value, in the order the exporter wrote them (Envoy's tag-extraction order). A plain object
 * because everything downstream looks labels up by name (`labels.envoy_cluster_name`), which is a
 * hidden-class property load; samples without labels share one frozen empty object.
 */
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** The sample's own name: `x_bucket`, `x_sum`, `x_count` for histograms, not the family name. */
  readonly name: string;
  readonly labels: Labels;
  /** NaN, +Infinity and -Infinity included (`NaN`, `+Inf`, `-Inf` in the text). */
  readonly value: number;
  /** The optional trailing timestamp (ms since the epoch); Envoy never writes one. */
  readonly timestampMs: number | undefined;
  /**
   * Series identity for rate computation: the sample's name and label block exactly as written
   * (`name{a="1",b="2"}`, or `name` alone when there are no labels or `{}`). No sorting or joining is
   * done, so it costs one substring; it is stable across scrapes of one target (an exporter writes a
   * series' labels in a fixed order) but is not canonical across exporters (label order, spacing).
   * Like `name` and label values, it is a slice of the scraped text: a store that keeps keys for long
   * should copy them if it must not pin old scrape texts in memory.
   */
  readonly series: string;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  /** `# HELP` text with `\\` and `\n` unescaped; undefined when the exporter wrote none (Envoy never does). */
  readonly help: string | undefined;
  /** This family's samples in source order (the same objects as in `ParsedExposition.samples`). */
  readonly samples: readonly Sample[];
}

export interface ParseErrorRecord {
  /** 1-based line number in the scraped text. */
  readonly line: number;
  readonly reason: string;
  /** The offending line, cut to 200 characters. */
  readonly text: string;
}

export interface ParsedExposition {
  /** Every valid sample, in source order. */
  readonly samples: readonly Sample[];
  /** Families by name, in order of first appearance. */
  readonly families: ReadonlyMap<string, MetricFamily>;
  /** The first `maxErrors` invalid lines; each was skipped, the rest of the scrape was kept. */
  readonly errors: readonly ParseErrorRecord[];
  /** How many lines were invalid in all (can exceed `errors.length`). */
  readonly errorCount: number;
}

export interface ParseOptions {
  /** Throw a `PromParseError` at the first invalid line instead of recording it. Default false. */
  strict?: boolean;
  /**
   * Cap on recorded error records, so a garbage scrape (an HTML page, a binary body) costs bounded
   * memory; `errorCount` still counts every invalid line. Default 100.
   */
  maxErrors?: number;
}

export class PromParseError extends Error {
  readonly line: number;
  readonly reason: string;
  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'PromParseError';
    this.line = line;
    this.reason = reason;
  }
}
