import type { Counter } from "prom-client";

interface Series<L extends string> {
  readonly labels: Partial<Record<L, string>>;
  /** Counted so far. */
  value: number;
  /** Already added to the prom-client counter. */
  pushed: number;
}

/**
 * Counts kept in a plain map on the request path, and added to a prom-client
 * counter only when the registry is read (from the counter's `collect`):
 * prom-client's `inc` validates and hashes its labels on every call, which
 * costs more per request than everything else the metrics do.
 */
export class Tally<L extends string> {
  private readonly series = new Map<string, Series<L>>();

  /** Adds one to the series `key`, whose labels `labels` makes when the series is new. */
  add(key: string, labels: () => Partial<Record<L, string>>): void {
    const series = this.series.get(key);
    if (series !== undefined) series.value++;
    else this.series.set(key, { labels: labels(), value: 1, pushed: 0 });
  }

  /** Adds to `counter` what was counted since the last push. */
  push(counter: Counter<L>): void {
    for (const series of this.series.values()) {
      if (series.value === series.pushed) continue;
      counter.inc(series.labels, series.value - series.pushed);
      series.pushed = series.value;
    }
  }
}
