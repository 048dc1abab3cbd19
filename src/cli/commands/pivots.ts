import type { Command } from "commander";
import {
  camarillaPivots,
  centralPivotRange,
  classicPivots,
  fibonacciPivots,
  type HighLowClose,
  openingZoneOf,
  roundForDisplay,
  structureOf,
  woodiePivots,
} from "../../domain/pivots.js";
import { configForCommand } from "../load-config.js";
import { numberOption } from "../options.js";
import { UserError } from "../user-error.js";

const TYPES = ["classic", "fibonacci", "camarilla", "woodie", "cpr", "all"] as const;
type PivotType = (typeof TYPES)[number];

interface PivotFlags {
  high: number;
  low: number;
  close: number;
  open?: number;
  type: string;
  json?: boolean;
  config?: string;
}

const OTHER_KINDS = {
  fibonacci: fibonacciPivots,
  camarilla: camarillaPivots,
  woodie: woodiePivots,
  cpr: centralPivotRange,
} as const;

/** `pivot pivots`: prints the pivot levels and structure of a previous day's high, low and close. */
export function registerPivots(program: Command): void {
  program
    .command("pivots")
    .description("print pivot levels and the structure from a previous day's high, low and close")
    .requiredOption("--high <H>", "previous day's high", (v) => numberOption("--high", v))
    .requiredOption("--low <L>", "previous day's low", (v) => numberOption("--low", v))
    .requiredOption("--close <C>", "previous day's close", (v) => numberOption("--close", v))
    .option("--open <O>", "today's first open, to show the opening zone", (v) => numberOption("--open", v))
    .option("--type <type>", `one of ${TYPES.join(", ")}`, "classic")
    .option("--json", "print JSON (classic levels as PP, R1-R5, S1-S3, and structure)")
    .option("--config <file>", "configuration file (for trading.structure_neutral_band)")
    .action((flags: PivotFlags) => {
      process.stdout.write(pivotsCommand(flags));
    });
}

/** The command's output for its flags. */
export function pivotsCommand(flags: PivotFlags): string {
  if (!TYPES.includes(flags.type as PivotType)) {
    throw new UserError(`--type: expected one of ${TYPES.join(", ")}, found "${flags.type}"`);
  }
  const type = flags.type as PivotType;
  const hlc: HighLowClose = { high: flags.high, low: flags.low, close: flags.close };
  if (hlc.high < hlc.low) throw new UserError(`--high ${hlc.high} is below --low ${hlc.low}`);
  if (hlc.close > hlc.high || hlc.close < hlc.low) {
    throw new UserError(`--close ${hlc.close} is outside the day's range ${hlc.low} to ${hlc.high}`);
  }
  const band = configForCommand(flags.config).trading.structure_neutral_band;
  const classic = classicPivots(hlc);
  const structure = structureOf(classic, band);
  const zone = flags.open === undefined ? undefined : openingZoneOf(classic, flags.open);

  const sections: Record<string, Record<string, number>> = {};
  if (type === "classic" || type === "all") sections.classic = { ...classic };
  for (const [name, fn] of Object.entries(OTHER_KINDS)) {
    if (type === name || type === "all") sections[name] = fn(hlc);
  }
  const rounded = (levels: Record<string, number>) =>
    Object.fromEntries(Object.entries(levels).map(([k, v]) => [k, roundForDisplay(v)]));

  if (flags.json) {
    const { classic: classicLevels, ...others } = sections;
    const json = {
      ...(classicLevels ? rounded(classicLevels) : {}),
      structure,
      ...(zone ? { opening_zone: zone } : {}),
      ...Object.fromEntries(Object.entries(others).map(([k, v]) => [k, rounded(v)])),
    };
    return `${JSON.stringify(json, null, 2)}\n`;
  }
  const lines: string[] = [];
  for (const [name, levels] of Object.entries(sections)) {
    lines.push(`${name}:`);
    // Highest level first, as on a chart.
    const entries = Object.entries(levels).filter(([k]) => k !== "width_pct");
    entries.sort((a, b) => b[1] - a[1]);
    for (const [k, v] of entries) lines.push(`  ${k.padEnd(3)} ${v.toFixed(2)}`);
    if (levels.width_pct !== undefined) lines.push(`  width ${levels.width_pct.toFixed(3)}%`);
  }
  const a = classic.R1 - classic.PP;
  const b = classic.PP - classic.S1;
  lines.push(`structure: ${structure} (R1-PP ${a.toFixed(2)}, PP-S1 ${b.toFixed(2)}, neutral band ${band})`);
  if (zone) lines.push(`opening zone for open ${flags.open}: ${zone}`);
  return `${lines.join("\n")}\n`;
}
