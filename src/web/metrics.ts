/*
 * A tiny metrics registry in the Prometheus text format (version 0.0.4): counters with labels,
 * latency summaries over the most recent observations, and gauges read when scraped. The
 * engine increments them on its hot paths, so an increment is a Map lookup and an addition;
 * the work (sorting for quantiles, formatting) happens only when /metrics is scraped.
 */

type Labels = Readonly<Record<string, string>>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** A label value as the text format wants it. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "+Inf";
  if (n === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(n);
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n# TYPE ${name} ${type}\n`;
}

interface Metric {
  render(): string;
}

/** A monotonically increasing count, optionally split by labels. */
export class Counter<L extends string = never> implements Metric {
  private readonly values = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly L[],
  ) {}

  /** Adds `by` (default 1) to the count of these labels. */
  inc(...args: [L] extends [never] ? [by?: number] : [labels: Record<L, string>, by?: number]): void {
    const [labels, by] = (this.labelNames.length === 0 ? [{}, args[0]] : args) as [Labels, number?];
    const amount = by ?? 1;
    if (!(amount >= 0)) return; // a counter never goes down, and NaN is not a count
    const key = this.key(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + amount);
  }

  /** The count of these labels (0 when never incremented). */
  get(...args: [L] extends [never] ? [] : [labels: Record<L, string>]): number {
    return this.values.get(this.key((args[0] ?? {}) as Labels)) ?? 0;
  }

  private key(labels: Labels): string {
    return this.labelNames.map((n) => `${n}="${escapeLabel(String(labels[n] ?? ""))}"`).join(",");
  }

  render(): string {
    let out = header(this.name, this.help, "counter");
    if (this.labelNames.length === 0) return `${out}${this.name} ${formatNumber(this.values.get("") ?? 0)}\n`;
    for (const [key, value] of [...this.values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      out += `${this.name}{${key}} ${formatNumber(value)}\n`;
    return out;
  }
}

/** Quantiles of the latest observations (a ring of `window`), with the running sum and count of all. */
export class Summary implements Metric {
  private readonly ring: Float64Array;
  private next = 0;
  private filled = 0;
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly quantiles: readonly number[] = [0.5, 0.9, 0.99],
    window = 1024,
  ) {
    this.ring = new Float64Array(window);
  }

  /** Records one observation (seconds, for a latency). */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    this.ring[this.next] = value;
    this.next = (this.next + 1) % this.ring.length;
    if (this.filled < this.ring.length) this.filled++;
    this.sum += value;
    this.count++;
  }

  /** The q-quantile of the recent observations (nearest rank); NaN before any. */
  quantile(q: number): number {
    return nearestRank(this.ring.slice(0, this.filled).sort(), q);
  }

  render(): string {
    let out = header(this.name, this.help, "summary");
    const sorted = this.ring.slice(0, this.filled).sort();
    for (const q of this.quantiles)
      out += `${this.name}{quantile="${q}"} ${formatNumber(nearestRank(sorted, q))}\n`;
    return `${out}${this.name}_sum ${formatNumber(this.sum)}\n${this.name}_count ${this.count}\n`;
  }
}

/** The q-quantile of sorted values by nearest rank; NaN when there are none. */
function nearestRank(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** A value read when scraped. */
class Gauge implements Metric {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly read: () => number,
  ) {}

  render(): string {
    let value: number;
    try {
      value = this.read();
    } catch {
      value = Number.NaN;
    }
    return `${header(this.name, this.help, "gauge")}${this.name} ${formatNumber(value)}\n`;
  }
}

/** The metrics of one process. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  /** A new counter; `labelNames` split it (e.g. ["status"]). */
  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.add(name, new Counter<L>(name, help, labelNames));
  }

  /** A new summary (for latencies, in seconds). */
  summary(name: string, help: string, quantiles?: readonly number[], window?: number): Summary {
    return this.add(name, new Summary(name, help, quantiles, window));
  }

  /** A gauge whose value `read` returns at each scrape. */
  gauge(name: string, help: string, read: () => number): void {
    this.add(name, new Gauge(name, help, read));
  }

  /** Every metric in the Prometheus text format. */
  render(): string {
    return [...this.metrics.values()].map((m) => m.render()).join("");
  }

  private add<M extends Metric>(name: string, metric: M): M {
    if (!NAME.test(name)) throw new Error(`metric name ${JSON.stringify(name)} is not a Prometheus name`);
    if (this.metrics.has(name)) throw new Error(`metric ${name} is registered twice`);
    this.metrics.set(name, metric);
    return metric;
  }
}
