import { join } from "node:path";
import type { Command } from "commander";
import { candleCsv } from "../../backtest/csv-candles.js";
import { tradingCalendarOf } from "../../config/underlying.js";
import type { Candle } from "../../domain/candle.js";
import { formatHhmm, type IsoDate, istPartsOf, parseHhmm } from "../../domain/ist.js";
import { systemClock } from "../../ports/clock.js";
import { type KiteCommandDeps, kiteAndMasterForCommand } from "../kite-for-command.js";
import { configForCommand } from "../load-config.js";
import { dateOption } from "../options.js";
import { UserError } from "../user-error.js";

/*
 * `pivot fetch-candles`: one day's data for a backtest, from Kite. The day's universe is built
 * as the live system builds it (spot = the index's 09:15 open, nearest expiry and ATM ±
 * strike_range from the instrument master); then the candles of each contract and of the
 * index, for the day and the previous trading day (the pivots need it), are written in the
 * backtest CSV format, ONE FILE PER SYMBOL AND DAY: `<SYMBOL>_<DATE>.csv`.
 */

interface FetchFlags {
  date: string;
  out: string;
  config?: string;
}

/** What a test may replace. */
export type FetchCandlesDeps = KiteCommandDeps;

/** One file written. */
export interface WrittenFile {
  symbol: string;
  date: IsoDate;
  path: string;
  candles: number;
}

/** Registers `pivot fetch-candles`. */
export function registerFetchCandles(program: Command): void {
  program
    .command("fetch-candles")
    .description(
      "download a day's candles from Kite (the day's option universe and the index, that day and the previous trading day) as backtest CSV files",
    )
    .requiredOption("--date <date>", "the trading day, YYYY-MM-DD", (v) => dateOption("--date", v))
    .requiredOption("--out <dir>", "directory for the <SYMBOL>_<DATE>.csv files (one per symbol and day)")
    .option("--config <file>", "configuration file (default ./config.json)")
    .action(async (flags: FetchFlags) => {
      await fetchCandlesCommand(flags);
    });
}

/** Runs the command; returns the files written. Problems are UserErrors. */
export async function fetchCandlesCommand(
  flags: FetchFlags,
  deps: FetchCandlesDeps = {},
): Promise<WrittenFile[]> {
  const config = configForCommand(flags.config, deps.env ?? process.env);
  const out = deps.out ?? ((t: string) => void process.stdout.write(t));
  const err = deps.err ?? ((t: string) => void process.stderr.write(t));
  const warn = (m: string) => err(`warning: ${m}\n`);
  const clock = deps.clock ?? systemClock;
  const date = dateOption("--date", flags.date);

  const [{ dayUniverse }, { fetchHistoricalCandles, intervalOfMinutes }, { writeFileAtomic }] =
    await Promise.all([
      import("../../domain/instruments.js"),
      import("../../adapters/kite/historical.js"),
      import("../../adapters/kite/atomic-file.js"),
    ]);

  const calendar = tradingCalendarOf(config);
  if (!calendar.isTradingDay(date)) {
    throw new UserError(`${date} is not a trading day (${calendar.holidayName(date) ?? "a weekend"})`);
  }
  const today = istPartsOf(clock.now()).date;
  if (date > today) throw new UserError(`${date} is in the future (today is ${today} IST)`);
  const minutes = config.trading.candle_interval_minutes;
  const interval = intervalOfMinutes(minutes);
  if (!interval) {
    throw new UserError(
      `trading.candle_interval_minutes is ${minutes}: Kite has candles of 1, 3, 5, 10, 15, 30 and 60 minutes only`,
    );
  }
  const { kite, expired, master } = await kiteAndMasterForCommand(config, "fetch-candles", {
    clock,
    warn,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const underlying = config.trading.instrument;
  const index = master.indexOf(underlying);
  if (!index) throw new UserError(`the instrument master has no index ${underlying} (segment INDICES)`);

  const previous = calendar.previousTradingDay(date);
  const fetchDays = async (token: number) =>
    fetchHistoricalCandles(kite, { instrumentToken: token, interval, from: previous, to: date });

  const indexCandles = await fetchDays(index.instrumentToken);
  if (!indexCandles.ok) {
    if (indexCandles.error.kind === "session_expired") throw expired();
    throw new UserError(`cannot fetch the ${underlying} candles: ${indexCandles.error.message}`);
  }

  // Spot: the index's first candle of the day, as the strategy's backtest takes it.
  const sessionStart = parseHhmm(config.market.start_time);
  const dayIndex = indexCandles.value.days.get(date) ?? [];
  let spot: number | undefined = dayIndex.find((c) => c.start === sessionStart)?.open;
  if (spot === undefined && dayIndex[0]) {
    spot = dayIndex[0].open;
    warn(
      `no ${underlying} candle at ${config.market.start_time}: spot = the open of the ${formatHhmm(dayIndex[0].start)} candle`,
    );
  }
  if (spot === undefined) {
    if (date !== today) {
      throw new UserError(`Kite has no ${underlying} candles for ${date}: cannot find the day's spot`);
    }
    const ltp = await kite.ltp([`${index.exchange}:${index.tradingsymbol}`]);
    if (!ltp.ok) {
      if (ltp.error.kind === "session_expired") throw expired();
      throw new UserError(
        `no ${underlying} candle yet and its last price is unavailable: ${ltp.error.message}`,
      );
    }
    spot = ltp.value[`${index.exchange}:${index.tradingsymbol}`]?.last_price;
    if (spot === undefined)
      throw new UserError(`Kite gave no last price for ${index.exchange}:${index.tradingsymbol}`);
    warn(`no ${underlying} candle yet today: spot = the last price ${spot}`);
  }

  const universe = dayUniverse(
    master,
    underlying,
    date,
    spot,
    config.trading.strike_range,
    config.trading.strike_interval,
  );
  if (!universe)
    throw new UserError(`the instrument master lists no ${underlying} option expiring on or after ${date}`);
  if (universe.missing.length > 0) {
    warn(`not in the instrument master (expiry ${universe.expiry}): ${universe.missing.join(", ")}`);
  }
  if (date < today) {
    warn("the instrument master lists live contracts only, and Kite keeps no candles of expired ones");
  }
  err(
    `${date}: ${underlying} spot ${spot}, ATM ${universe.atm}, expiry ${universe.expiry}, ${universe.contracts.length} contracts; previous trading day ${previous}\n`,
  );

  const written: WrittenFile[] = [];
  /** Days without a candle, by symbol. */
  const empty = new Map<string, IsoDate[]>();
  const failed: string[] = [];
  const write = (symbol: string, days: Map<IsoDate, Candle[]>) => {
    for (const day of [previous, date]) {
      const candles = days.get(day) ?? [];
      if (candles.length === 0) {
        empty.set(symbol, [...(empty.get(symbol) ?? []), day]);
        continue;
      }
      const path = join(flags.out, `${symbol}_${day}.csv`);
      try {
        writeFileAtomic(path, candleCsv(day, candles), { mode: 0o644, dirMode: 0o755 });
      } catch (e) {
        throw new UserError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
      }
      written.push({ symbol, date: day, path, candles: candles.length });
      out(`wrote ${path} (${candles.length} candle${candles.length === 1 ? "" : "s"})\n`);
    }
  };

  write(index.tradingsymbol, indexCandles.value.days);
  for (const contract of universe.contracts) {
    const candles = await fetchDays(contract.instrumentToken);
    if (!candles.ok) {
      if (candles.error.kind === "session_expired") throw expired();
      failed.push(`${contract.tradingsymbol}: ${candles.error.message}`);
      continue;
    }
    write(contract.tradingsymbol, candles.value.days);
  }

  if (empty.size > 0) {
    const none = [...empty].filter(([, days]) => days.length === 2).map(([symbol]) => symbol);
    if (none.length > 0) err(`no candles from Kite on either day for: ${none.join(", ")}\n`);
    for (const day of [previous, date]) {
      const some = [...empty]
        .filter(([, days]) => days.length === 1 && days[0] === day)
        .map(([symbol]) => symbol);
      if (some.length > 0) err(`no candles from Kite on ${day} for: ${some.join(", ")}\n`);
    }
  }
  out(`${written.length} file(s) written to ${flags.out}\n`);
  if (failed.length > 0) {
    throw new UserError(
      `${failed.length} contract(s) could not be fetched:\n${failed.map((f) => `  - ${f}`).join("\n")}`,
    );
  }
  return written;
}

/** Kept here too for the commands that import it from fetch-candles. */
export { candleCsv } from "../../backtest/csv-candles.js";
