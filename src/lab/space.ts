import { parseConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { nearestName } from "../config/suggest.js";
import { SeededRandom } from "../sim/rng.js";

/*
 * The search space of `pivot optimize` and `pivot walkforward`: strategy and risk settings,
 * each with the values to try. A SPACE.json maps a setting's name (bare, or with its section:
 * "trading.candle_size_percentile") to a list of values or to `{min, max, step}`.
 */

/** The config sections a setting lives in. */
type Section = "trading" | "risk_management";

/** Settings the backtest reads from the configuration, with their section. */
export const TUNABLE_SETTINGS: ReadonlyMap<string, Section> = new Map([
  ["candle_size_percentile", "trading"],
  ["structure_neutral_band", "trading"],
  ["max_candles_timeout", "trading"],
  ["max_re_entries", "trading"],
  ["strike_range", "trading"],
  ["lots", "trading"],
  ["candle_interval_minutes", "trading"],
  ["max_trades_per_day", "risk_management"],
  ["max_daily_loss", "risk_management"],
]);

/** Numbers of those sections that are not the trader's to choose, and why. */
const NOT_TUNABLE: ReadonlyMap<string, string> = new Map([
  ["strike_interval", "a fact of the exchange's contracts, not a setting"],
  ["lot_size", "a fact of the exchange's contracts, not a setting"],
  ["disaster_stop_pct", "the live service's safety net, which a backtest does not use"],
]);

/** One setting and the values to try, in the order given. */
export interface Dimension {
  /** The bare name, e.g. "candle_size_percentile". */
  name: string;
  section: Section;
  values: number[];
}

/** One point of the space: a value for each setting, by bare name. */
export type Settings = Record<string, number>;

/** A space file that cannot be used. */
export class SpaceError extends Error {}

/** The most sets a grid may hold: beyond that, `--method random` is the tool. */
export const MAX_GRID = 100_000;
const MAX_RANGE_VALUES = 10_000;

/**
 * Reads a space (the parsed SPACE.json) and checks every name and value against the
 * configuration schema, on top of `base`: every problem is reported at once, before anything runs.
 */
export function parseSpace(raw: unknown, base: Config): Dimension[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new SpaceError('expected a JSON object of settings, e.g. {"candle_size_percentile": [70, 75, 80]}');
  }
  const problems: string[] = [];
  const dimensions: Dimension[] = [];
  for (const [key, spec] of Object.entries(raw as Record<string, unknown>)) {
    const name = settingName(key, problems);
    if (!name) continue;
    const values = valuesOf(key, spec, problems);
    if (!values) continue;
    if (dimensions.some((d) => d.name === name)) {
      problems.push(`${key}: named twice`);
      continue;
    }
    const dimension = { name, section: TUNABLE_SETTINGS.get(name) as Section, values };
    for (const v of values) {
      const errors = configErrors(base, { [name]: v });
      if (errors.length > 0) problems.push(`${key} = ${v}: ${errors.join("; ")}`);
    }
    dimensions.push(dimension);
  }
  if (problems.length === 0 && dimensions.length === 0) problems.push("names no setting");
  if (problems.length > 0) {
    throw new SpaceError(`${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return dimensions;
}

function settingName(key: string, problems: string[]): string | null {
  const dot = key.indexOf(".");
  const section = dot >= 0 ? key.slice(0, dot) : null;
  const name = dot >= 0 ? key.slice(dot + 1) : key;
  const why = NOT_TUNABLE.get(name);
  if (why) {
    problems.push(`${key}: ${why}`);
    return null;
  }
  const home = TUNABLE_SETTINGS.get(name);
  if (!home || (section !== null && section !== home)) {
    const hint = nearestName(name, [...TUNABLE_SETTINGS.keys()]);
    const known = home ? `it is in ${home}` : hint ? `did you mean "${hint}"?` : "";
    problems.push(
      `${key}: not a setting the optimiser can vary${known ? `; ${known}` : ""} (settings: ${[...TUNABLE_SETTINGS.keys()].join(", ")})`,
    );
    return null;
  }
  return name;
}

function valuesOf(key: string, spec: unknown, problems: string[]): number[] | null {
  if (Array.isArray(spec)) {
    if (spec.length === 0 || !spec.every((v) => typeof v === "number" && Number.isFinite(v))) {
      problems.push(`${key}: expected a non-empty list of numbers`);
      return null;
    }
    return [...new Set(spec as number[])];
  }
  if (typeof spec === "object" && spec !== null) {
    const { min, max, step } = spec as Record<string, unknown>;
    if (![min, max, step].every((v) => typeof v === "number" && Number.isFinite(v))) {
      problems.push(`${key}: expected {"min": number, "max": number, "step": number}`);
      return null;
    }
    const [lo, hi, by] = [min, max, step] as number[];
    if ((by as number) <= 0 || (lo as number) > (hi as number)) {
      problems.push(`${key}: expected min <= max and step > 0, found ${lo} / ${hi} / ${by}`);
      return null;
    }
    const count = Math.floor(((hi as number) - (lo as number)) / (by as number) + 1e-9) + 1;
    if (count > MAX_RANGE_VALUES) {
      problems.push(`${key}: ${count} values; at most ${MAX_RANGE_VALUES}`);
      return null;
    }
    // Rounded to 10 decimals: 0.1 + 0.2 is written 0.3.
    return Array.from({ length: count }, (_, i) => Number(((lo as number) + i * (by as number)).toFixed(10)));
  }
  problems.push(`${key}: expected a list of values or {"min", "max", "step"}`);
  return null;
}

/** The configuration with `settings` applied (sections copied, the rest shared). */
export function applySettings(base: Config, settings: Settings): Config {
  const trading = { ...base.trading };
  const risk = { ...base.risk_management };
  for (const [name, value] of Object.entries(settings)) {
    if (TUNABLE_SETTINGS.get(name) === "trading") (trading as unknown as Settings)[name] = value;
    else (risk as unknown as Settings)[name] = value;
  }
  return { ...base, trading, risk_management: risk };
}

/** The settings as a configuration fragment, `{trading: {...}, risk_management: {...}}`. */
export function settingsAsConfig(settings: Settings): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [name, value] of Object.entries(settings)) {
    const section = TUNABLE_SETTINGS.get(name) as Section;
    out[section] = { ...out[section], [name]: value };
  }
  return out;
}

/** What the configuration schema says against `base` with `settings` applied (none: fine). */
export function configErrors(base: Config, settings: Settings): string[] {
  const result = parseConfig(applySettings(base, settings));
  return result.ok ? [] : result.errors;
}

/** How many sets the full grid holds. */
export function gridSize(dimensions: readonly Dimension[]): number {
  return dimensions.reduce((n, d) => n * d.values.length, 1);
}

/** Every combination, the last dimension varying fastest. */
export function gridSets(dimensions: readonly Dimension[]): Settings[] {
  const size = gridSize(dimensions);
  if (size > MAX_GRID) {
    throw new SpaceError(
      `the grid holds ${size} sets (at most ${MAX_GRID}): use --method random --samples N`,
    );
  }
  return Array.from({ length: size }, (_, index) => setAt(dimensions, index));
}

/**
 * `count` distinct combinations drawn at random (all of them, in grid order, when the grid is
 * no larger), the same for the same seed.
 */
export function randomSets(dimensions: readonly Dimension[], count: number, seed: number): Settings[] {
  const size = gridSize(dimensions);
  if (count >= size && size <= MAX_GRID) return gridSets(dimensions);
  const random = new SeededRandom(seed);
  const chosen = new Set<number>();
  // Drawing grid indices keeps every set distinct; a huge grid is sampled value by value.
  while (chosen.size < count) chosen.add(Math.floor(random.next() * size));
  return [...chosen].map((index) => setAt(dimensions, index));
}

function setAt(dimensions: readonly Dimension[], index: number): Settings {
  const settings: Settings = {};
  let rest = index;
  for (let i = dimensions.length - 1; i >= 0; i--) {
    const d = dimensions[i] as Dimension;
    settings[d.name] = d.values[rest % d.values.length] as number;
    rest = Math.floor(rest / d.values.length);
  }
  // Keys in the space's order, whatever order they were filled in.
  return Object.fromEntries(dimensions.map((d) => [d.name, settings[d.name] as number]));
}
