import { mulberry32 } from "../../src/backtest/sample-rng.js";
import type { Candle } from "../../src/domain/candle.js";
import { candleSize } from "../../src/domain/candle.js";
import { roundTripCharges } from "../../src/domain/charges.js";
import { fillSummary } from "../../src/domain/fill-summary.js";
import { type IsoDate, isoIst, istEpochMs, istPartsOf } from "../../src/domain/ist.js";
import { classicPivots, type PivotLevels, structureOf } from "../../src/domain/pivots.js";
import { formatWeeklySymbol, type OptionType } from "../../src/domain/symbols.js";
import type { StoredTrade } from "../../src/domain/trade.js";
import { tradeFills } from "../../src/domain/trade-fills.js";
import { orderTag, roundDownToTick } from "../../src/engine/order-tags.js";
import type { ControlPort, EngineView, LiveEvent, ServiceMode, StatusSnapshot } from "../../src/ports/app.js";
import { ManualClock } from "../../src/ports/clock.js";
import type { StoredOrder, UniverseContract } from "../../src/ports/store-records.js";
import type { SignalRecord } from "../../src/strategy/types.js";

/*
 * A fake engine with a realistic, fully deterministic trading day, for the web layer's tests and
 * the dashboard's browser test: Thursday 4 September 2025 at 11:03 IST, the 22 contracts of the
 * SENSEX weekly expiry of 11 September (ATM 80,700 ± 500), each with its pivots, structure and
 * 3-minute candles from 09:15; a first trade on 80700CE stopped out, a re-entry on 80800CE still
 * open, the signals around them (one outranked, one skipped while the position is open), their
 * orders, health checks and reminders. Control calls are recorded and change the state the way
 * the engine would (and push a `status` event), so a test sees the effect of a button.
 *
 * Prices come from a hand-drawn SENSEX path (a dip, a breakout at 09:39, a pullback through the
 * first trade's stop at 10:03, a second rally from 10:27) plus seeded noise, and each option's
 * premium is a smooth function of the index, so the candles of every contract tell the same
 * story. The traded contracts' pivots are chosen so that their breakouts are real scenario-1
 * breakouts (opening in Z1, closing above R1).
 */

/** The day the fake engine trades. */
export const FAKE_DATE: IsoDate = "2025-09-04";
export const FAKE_EXPIRY: IsoDate = "2025-09-11";
/** 11:03:20 IST on FAKE_DATE: the fake's clock starts here. */
export const FAKE_NOW_MS = istEpochMs(FAKE_DATE, 11 * 60 + 3) + 20_000;
export const FAKE_ATM = 80_700;
export const FAKE_LOT_SIZE = 20;
export const FAKE_MAX_LOTS = 10;
/** The contract of the first (closed, stopped out) trade. */
export const FAKE_CLOSED_TRADE_SYMBOL = formatWeeklySymbol("SENSEX", FAKE_EXPIRY, 80_700, "CE");
/** The contract of the open position. */
export const FAKE_OPEN_TRADE_SYMBOL = formatWeeklySymbol("SENSEX", FAKE_EXPIRY, 80_800, "CE");
/** An exposure of the open trade: 20 of its 40 held without a resting stop for 3 s. */
export const FAKE_EXPOSURE = {
  tradeId: "20250904_002",
  symbol: FAKE_OPEN_TRADE_SYMBOL,
  held: 40,
  uncovered: 20,
  since: "2025-09-04T11:03:17+05:30",
  forS: 3,
};

const INTERVAL = 3;
const SESSION_START = 9 * 60 + 15;
/** Candles that closed by 11:03 (the last one is 11:00-11:03). */
const LAST_CANDLE_START = 11 * 60;
const STRIKES = Array.from({ length: 11 }, (_, i) => FAKE_ATM - 500 + i * 100);
/** The SENSEX path through the morning: [minute of day, level]. */
const INDEX_WAYPOINTS: ReadonlyArray<readonly [number, number]> = [
  [555, 80_662],
  [570, 80_581],
  [579, 80_596],
  [582, 80_806],
  [591, 80_764],
  [600, 80_612],
  [604, 80_548],
  [624, 80_642],
  [627, 80_655],
  [630, 80_838],
  [648, 80_872],
  [651, 80_934],
  [663, 80_951],
];
/** Breakout candles (start minutes): the first trade's, the re-entry's, the one skipped while open. */
const FIRST_BREAKOUT = 579;
const REENTRY_BREAKOUT = 627;
const SKIPPED_BREAKOUT = 648;

export interface FakeEngineOptions {
  mode?: ServiceMode;
  /** The broker session is valid (true): false shows the "Log in with Kite" state. */
  sessionValid?: boolean;
  clock?: ManualClock;
}

/** One recorded control call. */
export interface ControlCall {
  action: "setEntriesEnabled" | "panic" | "clearPanic" | "setLots";
  value?: boolean | number;
  actor: string;
}

/** An EngineView over a scripted day; see the file comment. */
export class FakeEngine implements EngineView {
  readonly clock: ManualClock;
  /** Every control call, in order. */
  readonly calls: ControlCall[] = [];
  readonly control: ControlPort;
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  private readonly candlesBySymbol = new Map<string, Candle[]>();
  private readonly snapshot: StatusSnapshot;

  constructor(options: FakeEngineOptions = {}) {
    this.clock = options.clock ?? new ManualClock(FAKE_NOW_MS);
    const day = scriptedDay();
    for (const [symbol, candles] of day.candles) this.candlesBySymbol.set(symbol, candles);
    this.snapshot = initialSnapshot(day, options.mode ?? "PAPER", options.sessionValid ?? true);
    this.control = {
      setEntriesEnabled: (enabled, actor) => {
        this.calls.push({ action: "setEntriesEnabled", value: enabled, actor });
        this.snapshot.risk.entriesEnabled = enabled;
        this.pushStatus();
      },
      panic: (actor) => {
        this.calls.push({ action: "panic", actor });
        this.snapshot.risk.panic = true;
        this.snapshot.risk.entriesEnabled = false;
        this.closeOpenPositionByPanic();
        this.pushStatus();
      },
      clearPanic: (actor) => {
        this.calls.push({ action: "clearPanic", actor });
        this.snapshot.risk.panic = false;
        this.pushStatus();
      },
      setLots: (lots, actor) => {
        if (!Number.isInteger(lots) || lots < 1 || lots > this.snapshot.risk.maxLots) {
          throw new RangeError(
            `lots must be a whole number from 1 to ${this.snapshot.risk.maxLots}, found ${lots}`,
          );
        }
        this.calls.push({ action: "setLots", value: lots, actor });
        this.snapshot.risk.lots = lots;
        this.pushStatus();
      },
    };
  }

  /** A copy of the current state (callers cannot change the fake through it). */
  status(): StatusSnapshot {
    return structuredClone({ ...this.snapshot, now: isoOf(this.clock.now()) });
  }

  candles(symbol: string): Candle[] {
    return (this.candlesBySymbol.get(symbol) ?? []).map((c) => ({ ...c }));
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** How many live-event listeners are subscribed (a closed SSE stream must unsubscribe). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Sends an event to every listener as it is (no state change). */
  emit(event: LiveEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  /** A new last price of a contract: updates its LTP (and the position's P&L) and pushes a `tick`. */
  tick(symbol: string, ltp: number): void {
    const contract = this.snapshot.universe.contracts.find((c) => c.symbol === symbol);
    if (contract) contract.ltp = ltp;
    const p = this.snapshot.position;
    if (p && p.symbol === symbol) {
      p.ltp = ltp;
      p.pnlPoints = round2(ltp - p.entryPrice);
      p.pnlRupees = round2((ltp - p.entryPrice) * p.quantity);
    }
    this.emit({ type: "tick", symbol, ltp });
  }

  /** A candle of a contract closed (or a running one changed): stores it and pushes a `candle`. */
  candle(symbol: string, candle: Candle): void {
    const list = this.candlesBySymbol.get(symbol) ?? [];
    const last = list[list.length - 1];
    if (last && last.start === candle.start) list[list.length - 1] = candle;
    else list.push(candle);
    this.candlesBySymbol.set(symbol, list);
    this.emit({ type: "candle", symbol, candle: { ...candle } });
  }

  /** Ends or restores the broker session (as a token expiry or a new login would). */
  setSessionValid(valid: boolean): void {
    this.snapshot.session = valid
      ? { valid: true, userId: "AB1234", expiresAt: sessionExpiry() }
      : { valid: false, userId: null, expiresAt: null };
    this.snapshot.risk.sessionExpired = !valid;
    this.pushStatus();
  }

  /** Quantities held without a resting stop (the never-naked measure): sets them and pushes the status. */
  setExposures(exposures: StatusSnapshot["exposures"]): void {
    this.snapshot.exposures = structuredClone(exposures);
    this.pushStatus();
  }

  /** Pushes the current status to every listener. */
  pushStatus(): void {
    this.emit({ type: "status", status: this.status() });
  }

  private closeOpenPositionByPanic(): void {
    const p = this.snapshot.position;
    if (!p) return;
    const open = this.snapshot.trades.find((t) => t.trade_id === p.tradeId);
    const exitPrice = p.ltp ?? p.entryPrice;
    if (open && open.status === "OPEN") {
      const closed = closeTrade(open, istPartsOf(this.clock.now()).minute, exitPrice, "PANIC");
      this.snapshot.trades = this.snapshot.trades.map((t) => (t.trade_id === p.tradeId ? closed : t));
      this.snapshot.pnl = dayPnl(this.snapshot.trades);
      this.emit({ type: "trade", trade: structuredClone(closed) });
    }
    this.snapshot.position = null;
  }
}

interface ScriptedDay {
  spot: number;
  contracts: Array<UniverseContract & { ltp: number | null }>;
  candles: Map<string, Candle[]>;
  trades: StoredTrade[];
  signals: SignalRecord[];
  orders: StoredOrder[];
}

function scriptedDay(): ScriptedDay {
  const rng = mulberry32(20250904);
  const index = indexCandles(rng);
  const candles = new Map<string, Candle[]>();
  const contracts: ScriptedDay["contracts"] = [];
  for (const strike of STRIKES) {
    for (const optionType of ["CE", "PE"] as const) {
      const symbol = formatWeeklySymbol("SENSEX", FAKE_EXPIRY, strike, optionType);
      const list = index.map((c) => optionCandle(c, strike, optionType, rng));
      candles.set(symbol, list);
      const pivots = pivotsFor(symbol, list, rng);
      const last = list[list.length - 1] as Candle;
      contracts.push({
        symbol,
        instrumentToken: 1_100_000 + strike / 100 + (optionType === "CE" ? 0 : 5000),
        strike,
        optionType,
        quantity: FAKE_LOT_SIZE,
        structure: structureOf(pivots, 5),
        pivots,
        ltp: last.close,
      });
    }
  }
  const first = openTrade(
    "20250904_001",
    FAKE_CLOSED_TRADE_SYMBOL,
    contracts,
    candles,
    FIRST_BREAKOUT,
    false,
  );
  const stopCandle = (candles.get(FAKE_CLOSED_TRADE_SYMBOL) as Candle[]).find(
    (c) => c.start > FIRST_BREAKOUT && c.low <= first.stop_loss,
  ) as Candle;
  const closed = closeTrade(first, stopCandle.start + INTERVAL, first.stop_loss, "STOP_LOSS");
  const second = openTrade(
    "20250904_002",
    FAKE_OPEN_TRADE_SYMBOL,
    contracts,
    candles,
    REENTRY_BREAKOUT,
    true,
  );
  const trades: StoredTrade[] = [closed, second];
  const signals = [
    signalOf(
      candles,
      contracts,
      FAKE_CLOSED_TRADE_SYMBOL,
      FIRST_BREAKOUT,
      "TAKEN",
      null,
      "",
      closed.trade_id,
    ),
    signalOf(
      candles,
      contracts,
      formatWeeklySymbol("SENSEX", FAKE_EXPIRY, 80_600, "CE"),
      FIRST_BREAKOUT,
      "SKIPPED",
      "OUTRANKED",
      `${FAKE_CLOSED_TRADE_SYMBOL} had the larger candle`,
      null,
    ),
    signalOf(
      candles,
      contracts,
      FAKE_OPEN_TRADE_SYMBOL,
      REENTRY_BREAKOUT,
      "TAKEN",
      null,
      "re-entry",
      second.trade_id,
    ),
    signalOf(
      candles,
      contracts,
      formatWeeklySymbol("SENSEX", FAKE_EXPIRY, 80_900, "CE"),
      SKIPPED_BREAKOUT,
      "SKIPPED",
      "POSITION_OPEN",
      `${FAKE_OPEN_TRADE_SYMBOL} is open`,
      null,
    ),
  ];
  return {
    spot: round2((index[index.length - 1] as Candle).close),
    contracts,
    candles,
    trades,
    signals,
    orders: ordersOf(closed, second, stopCandle.start + INTERVAL),
  };
}

function initialSnapshot(day: ScriptedDay, mode: ServiceMode, sessionValid: boolean): StatusSnapshot {
  const open = day.trades.find((t) => t.status === "OPEN");
  const ltp = open ? (day.contracts.find((c) => c.symbol === open.symbol)?.ltp ?? null) : null;
  const closedLoss = day.trades.reduce(
    (sum, t) =>
      t.status === "CLOSED" && (t.fill_pnl_rupees ?? 0) < 0 ? sum - (t.fill_pnl_rupees ?? 0) : sum,
    0,
  );
  return {
    version: "0.1.0",
    mode,
    now: isoOf(FAKE_NOW_MS),
    date: FAKE_DATE,
    phase: "MARKET_OPEN",
    market: { open: true, nextOpen: null },
    session: sessionValid
      ? { valid: true, userId: "AB1234", expiresAt: sessionExpiry() }
      : { valid: false, userId: null, expiresAt: null },
    ticker: { connected: true, lastTickAgeMs: 420, subscriptions: 23 },
    universe: {
      underlying: "SENSEX",
      spot: day.spot,
      atm: FAKE_ATM,
      expiry: FAKE_EXPIRY,
      contracts: day.contracts,
    },
    position:
      open && open.status === "OPEN"
        ? {
            tradeId: open.trade_id,
            symbol: open.symbol,
            state: "OPEN",
            quantity: open.quantity,
            entryPrice: open.entry_fill_price ?? open.entry_price,
            modelEntryPrice: open.entry_price,
            stopLoss: open.stop_loss,
            target: open.target,
            ltp,
            pnlPoints: ltp === null ? null : round2(ltp - (open.entry_fill_price ?? open.entry_price)),
            pnlRupees:
              ltp === null
                ? null
                : round2((ltp - (open.entry_fill_price ?? open.entry_price)) * open.quantity),
            stopResting: true,
          }
        : null,
    exposures: [],
    orders: day.orders,
    trades: day.trades,
    signals: day.signals,
    pnl: dayPnl(day.trades),
    risk: {
      entriesEnabled: true,
      panic: false,
      sessionExpired: !sessionValid,
      lots: 1,
      maxLots: FAKE_MAX_LOTS,
      tradesToday: day.trades.length,
      maxTradesPerDay: 3,
      stopLossesToday: day.trades.filter((t) => t.status === "CLOSED" && t.exit_reason === "STOP_LOSS")
        .length,
      lossToday: round2(closedLoss),
      maxDailyLoss: 25_000,
    },
    month: { month: "2025-09", trades: 7, gross: 6_480, net: 5_512.4, winRate: 4 / 7, slippage: -412.5 },
    health: {
      uptimeS: 8_040,
      cpuPct: 3.2,
      rssMb: 142,
      checks: [
        { name: "database", level: "ok", detail: "data/trading.db, WAL, 4.2 MB" },
        { name: "disk", level: "ok", detail: "61% used, 11.8 GB free" },
        { name: "tls", level: "warning", detail: "pivot.example.in certificate expires in 12 days" },
        { name: "ticker", level: "ok", detail: "connected, 23 subscriptions" },
        { name: "telegram", level: "skipped", detail: "no bot token configured" },
      ],
    },
    reminders: [
      "TLS certificate of pivot.example.in expires on 2025-09-16 (12 days): run certbot renew",
      "2 Telegram messages are waiting to be sent",
    ],
    outboxBacklog: 2,
    archiveDays: 12,
  };
}

/** SENSEX 3-minute candles from the waypoints, a seeded wiggle and seeded noise inside each candle. */
function indexCandles(rng: () => number): Candle[] {
  const phases = [rng(), rng(), rng()].map((x) => x * 2 * Math.PI);
  const wiggle = (m: number) =>
    11 * Math.sin(m / 2.3 + (phases[0] as number)) +
    7 * Math.sin(m / 5.1 + (phases[1] as number)) +
    5 * Math.sin(m / 1.1 + (phases[2] as number));
  const out: Candle[] = [];
  for (let start = SESSION_START; start <= LAST_CANDLE_START; start += INTERVAL) {
    const points: number[] = [];
    for (let step = 0; step <= INTERVAL * 4; step++) {
      const m = start + step / 4;
      points.push(indexAt(m) + wiggle(m) + (rng() - 0.5) * 30);
    }
    const open = out.length > 0 ? (out[out.length - 1] as Candle).close : (points[0] as number);
    points[0] = open;
    const close = points[points.length - 1] as number;
    out.push({ start, open, high: Math.max(...points), low: Math.min(...points), close, volume: 0 });
  }
  return out;
}

function indexAt(minute: number): number {
  for (let i = 1; i < INDEX_WAYPOINTS.length; i++) {
    const [m1, v1] = INDEX_WAYPOINTS[i] as readonly [number, number];
    const [m0, v0] = INDEX_WAYPOINTS[i - 1] as readonly [number, number];
    if (minute <= m1) return v0 + ((v1 - v0) * (minute - m0)) / (m1 - m0);
  }
  return (INDEX_WAYPOINTS[INDEX_WAYPOINTS.length - 1] as readonly [number, number])[1];
}

/** A smooth premium: half delta at the money, intrinsic value deep in it, time value on top. */
function premium(index: number, strike: number, type: OptionType): number {
  const width = 380;
  const moneyness = type === "CE" ? index - strike : strike - index;
  return 70 + width * Math.log1p(Math.exp(moneyness / width));
}

function optionCandle(c: Candle, strike: number, type: OptionType, rng: () => number): Candle {
  const at = (level: number) => roundDownToTick(premium(level, strike, type));
  const open = at(c.open);
  const close = at(c.close);
  const extremes = [at(c.high), at(c.low)];
  const volume =
    Math.round((400 + rng() * 1600) * Math.exp(-Math.abs(strike - FAKE_ATM) / 400)) * FAKE_LOT_SIZE;
  return {
    start: c.start,
    open,
    high: Math.max(open, close, ...extremes),
    low: Math.min(open, close, ...extremes),
    close,
    volume,
  };
}

/**
 * Pivots from an invented previous day. The traded contracts get levels that make their
 * breakouts scenario-1 entries (open in Z1 just below PP, breakout close above R1, bullish);
 * the others get a previous day drawn around today's open, so structures vary.
 */
function pivotsFor(symbol: string, candles: readonly Candle[], rng: () => number): PivotLevels {
  const open = (candles[0] as Candle).open;
  const breakoutStart =
    symbol === FAKE_CLOSED_TRADE_SYMBOL
      ? FIRST_BREAKOUT
      : symbol === FAKE_OPEN_TRADE_SYMBOL
        ? REENTRY_BREAKOUT
        : null;
  if (breakoutStart !== null) {
    const breakout = candles.find((c) => c.start === breakoutStart) as Candle;
    const pp = open * 1.01;
    const r1 = breakout.close * 0.97;
    const low = 2 * pp - r1;
    const high = pp + (pp - low) * 0.6;
    return roundLevels(classicPivots({ high, low, close: 3 * pp - high - low }));
  }
  const high = open * (1.06 + rng() * 0.18);
  const low = open * (0.74 + rng() * 0.14);
  const close = low + (high - low) * (0.2 + rng() * 0.7);
  return roundLevels(classicPivots({ high, low, close }));
}

function roundLevels(p: PivotLevels): PivotLevels {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, round2(v)])) as unknown as PivotLevels;
}

function openTrade(
  tradeId: string,
  symbol: string,
  contracts: ScriptedDay["contracts"],
  candles: Map<string, Candle[]>,
  breakoutStart: number,
  reEntry: boolean,
): Extract<StoredTrade, { status: "OPEN" }> {
  const contract = contracts.find((c) => c.symbol === symbol) as UniverseContract;
  const pivots = contract.pivots as PivotLevels;
  const list = candles.get(symbol) as Candle[];
  const breakout = list.find((c) => c.start === breakoutStart) as Candle;
  return {
    status: "OPEN",
    date: FAKE_DATE,
    lot_size: FAKE_LOT_SIZE,
    trade_id: tradeId,
    symbol,
    strike: contract.strike,
    option_type: contract.optionType,
    scenario: 1,
    first_candle_entry: false,
    structure: "BULLISH",
    re_entry: reEntry,
    entry_time: isoIst(FAKE_DATE, breakoutStart + INTERVAL),
    entry_price: breakout.close,
    stop_loss: breakout.low,
    target: pivots.R3,
    quantity: FAKE_LOT_SIZE,
    candles_held: list.filter((c) => c.start > breakoutStart).length,
    pivots,
    // The market order paid a little above the close the strategy decided on.
    filled_quantity: FAKE_LOT_SIZE,
    entry_fill_price: round2(breakout.close + ENTRY_SLIPPAGE),
    exit_fill_price: null,
    fill_pnl_rupees: null,
    fill_charges: null,
    fill_net_pnl_rupees: null,
  };
}

/** What the invented fills paid above the model at the entry, and got below it at the exit. */
const ENTRY_SLIPPAGE = 0.35;
const EXIT_SLIPPAGE = 0.6;

function closeTrade(
  open: Extract<StoredTrade, { status: "OPEN" }>,
  exitMinute: number,
  exitPrice: number,
  reason: "STOP_LOSS" | "PANIC",
): Extract<StoredTrade, { status: "CLOSED" }> {
  const { status: _status, ...position } = open;
  const pnlPoints = round2(exitPrice - open.entry_price);
  const pnlRupees = round2(pnlPoints * open.quantity);
  const charges = roundTripCharges(open.entry_price, exitPrice, open.quantity).total;
  const fills = tradeFills([
    { side: "BUY", filledQuantity: open.quantity, averagePrice: open.entry_fill_price ?? open.entry_price },
    { side: "SELL", filledQuantity: open.quantity, averagePrice: round2(exitPrice - EXIT_SLIPPAGE) },
  ]);
  return {
    ...position,
    status: "CLOSED",
    candles_held: Math.max(0, Math.round((exitMinute - minuteOfIso(open.entry_time)) / INTERVAL)),
    exit_time: isoIst(FAKE_DATE, exitMinute),
    exit_price: exitPrice,
    exit_reason: reason,
    pnl_points: pnlPoints,
    pnl_rupees: pnlRupees,
    charges,
    net_pnl_rupees: round2(pnlRupees - charges),
    filled_quantity: fills.quantity,
    entry_fill_price: fills.entryPrice,
    exit_fill_price: fills.exitPrice,
    fill_pnl_rupees: fills.grossPnl,
    fill_charges: fills.charges,
    fill_net_pnl_rupees: fills.netPnl,
  };
}

function signalOf(
  candles: Map<string, Candle[]>,
  contracts: ScriptedDay["contracts"],
  symbol: string,
  start: number,
  action: "TAKEN" | "SKIPPED",
  reason: SignalRecord["reason"],
  detail: string,
  tradeId: string | null,
): SignalRecord {
  const c = (candles.get(symbol) as Candle[]).find((x) => x.start === start) as Candle;
  const pivots = contracts.find((x) => x.symbol === symbol)?.pivots as PivotLevels;
  const size = round2(candleSize(c));
  return {
    date: FAKE_DATE,
    time: isoIst(FAKE_DATE, start + INTERVAL),
    symbol,
    scenario: 1,
    first_candle: false,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    size,
    threshold: round2(size * 0.55),
    entry_price: c.close,
    stop_loss: c.low,
    target: pivots.R3,
    action,
    reason,
    detail,
    trade_id: tradeId,
  };
}

function ordersOf(
  closed: Extract<StoredTrade, { status: "CLOSED" }>,
  open: Extract<StoredTrade, { status: "OPEN" }>,
  exitMinute: number,
): StoredOrder[] {
  let localId = 0;
  const order = (
    tradeId: string,
    purpose: StoredOrder["purpose"],
    attempt: number,
    fields: Partial<StoredOrder> &
      Pick<StoredOrder, "side" | "type" | "status" | "quantity" | "tradingsymbol">,
    minute: number,
  ): StoredOrder => {
    localId++;
    const at = istEpochMs(FAKE_DATE, minute);
    return {
      localId,
      tag: orderTag(tradeId, purpose, attempt),
      kiteOrderId: `2509040000${String(localId).padStart(5, "0")}`,
      tradeId,
      purpose,
      exchange: "BFO",
      product: "MIS",
      price: null,
      triggerPrice: null,
      marketProtection: null,
      statusMessage: null,
      filledQuantity: fields.status === "COMPLETE" ? fields.quantity : 0,
      pendingQuantity: fields.status === "COMPLETE" || fields.status === "CANCELLED" ? 0 : fields.quantity,
      averagePrice: 0,
      orderTimestamp: `${FAKE_DATE} ${isoIst(FAKE_DATE, minute).slice(11, 19)}`,
      createdAtMs: at,
      updatedAtMs: at + 700,
      ...fields,
    };
  };
  const entryMinute = (t: StoredTrade) => minuteOfIso(t.entry_time);
  const stop = (t: StoredTrade) => roundDownToTick(t.stop_loss * 0.9);
  return [
    order(
      closed.trade_id,
      "ENTRY",
      0,
      {
        tradingsymbol: closed.symbol,
        side: "BUY",
        type: "LIMIT",
        price: closed.entry_price,
        quantity: closed.quantity,
        status: "COMPLETE",
        averagePrice: closed.entry_price,
      },
      entryMinute(closed),
    ),
    order(
      closed.trade_id,
      "STOP_LOSS",
      0,
      {
        tradingsymbol: closed.symbol,
        side: "SELL",
        type: "SL",
        price: roundDownToTick(stop(closed) * 0.99),
        triggerPrice: stop(closed),
        quantity: closed.quantity,
        status: "CANCELLED",
      },
      entryMinute(closed),
    ),
    order(
      closed.trade_id,
      "EXIT",
      0,
      {
        tradingsymbol: closed.symbol,
        side: "SELL",
        type: "MARKET",
        marketProtection: -1,
        quantity: closed.quantity,
        status: "COMPLETE",
        averagePrice: closed.exit_price,
      },
      exitMinute,
    ),
    order(
      open.trade_id,
      "ENTRY",
      0,
      {
        tradingsymbol: open.symbol,
        side: "BUY",
        type: "LIMIT",
        price: open.entry_price,
        quantity: open.quantity,
        status: "COMPLETE",
        averagePrice: open.entry_price,
      },
      entryMinute(open),
    ),
    order(
      open.trade_id,
      "STOP_LOSS",
      0,
      {
        tradingsymbol: open.symbol,
        side: "SELL",
        type: "SL",
        price: roundDownToTick(stop(open) * 0.99),
        triggerPrice: stop(open),
        quantity: open.quantity,
        status: "TRIGGER PENDING",
      },
      entryMinute(open),
    ),
  ];
}

function dayPnl(trades: readonly StoredTrade[]): StatusSnapshot["pnl"] {
  const { figures, slippageRupees } = fillSummary(trades);
  return {
    gross: figures.gross_pnl,
    charges: figures.charges,
    net: figures.net_pnl,
    slippage: slippageRupees,
  };
}

function sessionExpiry(): string {
  return "2025-09-05T06:00:00+05:30";
}

function isoOf(epochMs: number): string {
  const { date, minute, second } = istPartsOf(epochMs);
  return `${isoIst(date, minute).slice(0, 17)}${String(second).padStart(2, "0")}+05:30`;
}

function minuteOfIso(iso: string): number {
  return Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
