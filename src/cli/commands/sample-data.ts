import type { Command } from "commander";
import { SUPPORTED_UNDERLYINGS, underlyingProfile } from "../../domain/underlyings.js";
import { dateOption, integerOption } from "../options.js";
import { UserError } from "../user-error.js";

interface SampleFlags {
  out: string;
  days: number;
  seed: number;
  start: string;
  underlying: string;
}

/** `pivot sample-data`: writes a synthetic market in the backtest CSV format. */
export function registerSampleData(program: Command): void {
  program
    .command("sample-data")
    .description(
      "write a synthetic, deterministic market (the index and 22 weekly options a day) as candle CSVs",
    )
    .requiredOption("--out <dir>", "directory to write (must not already hold CSV files)")
    .option("--days <n>", "number of trading days", (v) => integerOption("--days", v, 1, 5000), 20)
    .option(
      "--seed <s>",
      "random seed (same seed, same files)",
      (v) => integerOption("--seed", v, 0, 2 ** 32 - 1),
      1,
    )
    .option("--start <date>", "first day (YYYY-MM-DD)", (v) => dateOption("--start", v), "2025-01-01")
    .option(
      "--underlying <name>",
      `the index and its options: ${SUPPORTED_UNDERLYINGS.join(" or ")} (symbols, strike step, lot, expiry weekday, holidays)`,
      underlyingOption,
      "SENSEX",
    )
    .action(async (flags: SampleFlags) => {
      const { writeSampleData } = await import("../../backtest/sample-data.js");
      let result: ReturnType<typeof writeSampleData>;
      try {
        result = writeSampleData({
          outDir: flags.out,
          days: flags.days,
          seed: flags.seed,
          startDate: flags.start,
          underlying: flags.underlying,
        });
      } catch (e) {
        throw new UserError((e as Error).message);
      }
      process.stdout.write(
        `wrote ${result.candles} candles in ${result.files} files to ${flags.out} (${flags.underlying}, ${result.days.length} trading days, ${result.firstDay} to ${result.lastDay})\n`,
      );
    });
}

function underlyingOption(value: string): string {
  const name = value.toUpperCase();
  if (!SUPPORTED_UNDERLYINGS.includes(name)) {
    throw new UserError(
      `--underlying: expected one of ${SUPPORTED_UNDERLYINGS.join(", ")}, found "${value}"`,
    );
  }
  return underlyingProfile(name).name;
}
