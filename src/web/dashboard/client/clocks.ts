/*
 * The page's two clocks, named: the market's time (the simulator's, many times faster, in the
 * demo and a rehearsal) and real time (when the page last heard from the server, how long the
 * service has been up). Pure functions for the views and their tests.
 */

import type { ServiceMode } from "../../../ports/app.js";
import { formatAge, istClock } from "./format.js";

/** Modes whose market time is the simulator's replay, not the wall clock. */
const SIMULATED: ReadonlySet<ServiceMode> = new Set<ServiceMode>(["DEMO", "SIM"]);

/** "Market time 11:33 IST", with "(simulated)" when the market is a replay. */
export function marketClockLabel(mode: ServiceMode, nowIso: string): string {
  return `Market time ${istClock(nowIso)} IST${SIMULATED.has(mode) ? " (simulated)" : ""}`;
}

/** When the page last heard from the server, in real time: "Updated 5 s ago". */
export function updatedLabel(ageMs: number): string {
  return `Updated ${formatAge(Math.max(0, ageMs))}`;
}

/** The uptime's label: the process's real time, whatever the market's clock does. */
export const UPTIME_LABEL = "Up for (real time)";
