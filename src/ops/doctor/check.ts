import type { HealthCheck } from "../../ports/app.js";
import type { DoctorProbes } from "./probes.js";
import type { DoctorSettings } from "./settings.js";

/** What every check gets. */
export interface DoctorContext {
  probes: DoctorProbes;
  settings: DoctorSettings;
}

export type Level = HealthCheck["level"];

/** One check: cheap ones (files, /proc) may run every minute; slow ones spawn programs or use the network. */
export interface DoctorCheck {
  name: string;
  cost: "cheap" | "slow";
  run(ctx: DoctorContext): Promise<HealthCheck>;
}

/** A result of the check `name`. */
export function result(name: string, level: Level, detail: string): HealthCheck {
  return { name, level, detail };
}

const RANK: Record<Level, number> = { skipped: 0, ok: 0, warning: 1, critical: 2 };

/** The worse of two levels (skipped counts as ok). */
export function worse(a: Level, b: Level): Level {
  return RANK[b] > RANK[a] ? b : a;
}

/** The error code or message of a failure, for a detail. */
export function why(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.code ?? err?.message ?? String(e);
}
