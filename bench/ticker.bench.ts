import { KiteTicker } from "kiteconnect";
import {
  decodeFrame,
  decodeFrameToArray,
  encodeFrame,
  type Tick,
} from "../src/adapters/kite/ticker-protocol.js";
import { istEpochMs, parseHhmm } from "../src/domain/ist.js";
import { CandleBuilder } from "../src/engine/candle-builder.js";
import { type Figure, median } from "./stats.js";

const PACKETS_A_FRAME = 200;
const DISTINCT_FRAMES = 32;
const ROUNDS = 7;
/** Each measured round lasts about this long. */
const ROUND_SECONDS = 0.25;

const SESSION = { start: parseHhmm("09:15"), end: parseHhmm("15:30"), eodExit: parseHhmm("15:15") };
const INTERVAL = 3;
const OPTIONS = 22;
const TICKS_A_SECOND = 4;

/** The official client's binary parser: `parseBinary` of a KiteTicker instance (not in its typings). */
type OfficialParser = (frame: ArrayBuffer) => Array<Record<string, unknown>>;

/**
 * Ticker decoding (ours vs the official kiteconnect KiteTicker's parser, on the same frames of
 * 200 full-mode packets in the same run) and ticks → candles through CandleBuilder.
 */
export function tickerBenchmark(log: (line: string) => void): Figure[] {
  return [...decodingFigures(log), ...candleFigures(log)];
}

function decodingFigures(log: (line: string) => void): Figure[] {
  const frames = Array.from({ length: DISTINCT_FRAMES }, (_, f) => encodeFrame(fullTicks(f)));
  // The official client sets binaryType = "arraybuffer", so its parser is fed ArrayBuffers;
  // ours gets what `ws` hands our client by default (Buffers). Same bytes either way.
  const arrayBuffers = frames.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

  // Constructing a KiteTicker opens nothing (connect() does); its parseBinary method is the
  // module-private parseBinary() the socket's onmessage handler calls on every binary frame.
  const ticker = new KiteTicker({ api_key: "bench", access_token: "bench" });
  const official = (ticker as unknown as { parseBinary: OfficialParser }).parseBinary.bind(ticker);
  checkSameDecoding(frames[0] as Buffer, official(arrayBuffers[0] as ArrayBuffer));

  let sink = 0;
  const oursArray = (i: number) => {
    const ticks = decodeFrameToArray(frames[i % DISTINCT_FRAMES] as Buffer);
    sink += (ticks[ticks.length - 1] as Tick).last_price;
  };
  const onTick = (t: Tick) => {
    sink += t.last_price;
  };
  const oursCallback = (i: number) => {
    decodeFrame(frames[i % DISTINCT_FRAMES] as Buffer, onTick);
  };
  const theirs = (i: number) => {
    const ticks = official(arrayBuffers[i % DISTINCT_FRAMES] as ArrayBuffer);
    sink += ticks.length;
  };

  const runs = { oursArray: [] as number[], oursCallback: [] as number[], theirs: [] as number[] };
  const sizes = {
    oursArray: calibrate(oursArray),
    oursCallback: calibrate(oursCallback),
    theirs: calibrate(theirs),
  };
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved so that drift (GC, frequency) hits all three alike.
    runs.theirs.push(packetsPerSecond(theirs, sizes.theirs));
    runs.oursArray.push(packetsPerSecond(oursArray, sizes.oursArray));
    runs.oursCallback.push(packetsPerSecond(oursCallback, sizes.oursCallback));
  }
  const ours = median(runs.oursArray);
  const theirsRate = median(runs.theirs);
  const ratio = ours / theirsRate;
  log(
    `ticker decode: ${DISTINCT_FRAMES} frames of ${PACKETS_A_FRAME} full packets, ${ROUNDS} rounds, median; ` +
      `official = new KiteTicker(...).parseBinary(ArrayBuffer) (checksum ${sink > 0 ? "ok" : "?"})`,
  );
  return [
    {
      name: "ticker decode, ours (decodeFrameToArray)",
      value: Math.round(ours),
      unit: "packets/s",
    },
    {
      name: "ticker decode, ours (decodeFrame callback, no array)",
      value: Math.round(median(runs.oursCallback)),
      unit: "packets/s",
    },
    {
      name: "ticker decode, official kiteconnect 5.3.0 parseBinary",
      value: Math.round(theirsRate),
      unit: "packets/s",
    },
    {
      name: "ticker decode, ours / official",
      value: Math.round(ratio * 100) / 100,
      unit: "x",
      target: ">= 3",
      met: ratio >= 3,
    },
  ];
}

/** 200 full-mode option packets (BFO tokens), values varying by frame. */
function fullTicks(frame: number): Tick[] {
  return Array.from({ length: PACKETS_A_FRAME }, (_, p) => {
    const price = 100 + ((frame * 31 + p * 7) % 5000) / 20;
    const level = (k: number) => ({ price: price - 0.05 * k, quantity: 20 * (k + 1), orders: k + 1 });
    return {
      mode: "full",
      tradable: true,
      instrument_token: ((218_000 + p) << 8) | 5,
      last_price: price,
      last_quantity: 20,
      average_price: price - 1,
      volume: 100_000 + frame * 1000 + p,
      buy_quantity: 5_000 + p,
      sell_quantity: 6_000 + p,
      ohlc: { open: price - 3, high: price + 5, low: price - 7, close: price - 2 },
      change: 0,
      last_trade_time: 1_756_957_500 + frame,
      oi: 10_000 + p,
      oi_day_high: 12_000,
      oi_day_low: 9_000,
      timestamp: 1_756_957_500 + frame,
      depth: {
        buy: [0, 1, 2, 3, 4].map(level),
        sell: [0, 1, 2, 3, 4].map((k) => level(-k - 1)),
      },
    };
  });
}

/** Both decoders read the same values from the frame (field names differ: the official ones are Kite's JS names). */
function checkSameDecoding(frame: Buffer, theirs: Array<Record<string, unknown>>): void {
  const ours = decodeFrameToArray(frame);
  const same = (a: unknown, b: unknown, what: string) => {
    if (a !== b) throw new Error(`the decoders disagree on ${what}: ${String(a)} vs ${String(b)}`);
  };
  same(ours.length, theirs.length, "the packet count");
  ours.forEach((o, i) => {
    const t = theirs[i] as Record<string, unknown> & { depth: { sell: { price: number }[] } };
    same(o.instrument_token, t.instrument_token, "instrument_token");
    same(o.last_price, t.last_price, "last_price");
    same(o.volume, t.volume_traded, "volume");
    same(o.oi, t.oi, "oi");
    same((o.timestamp as number) * 1000, (t.exchange_timestamp as Date).getTime(), "timestamp");
    same(o.depth?.sell[4]?.price, t.depth.sell[4]?.price, "depth");
  });
}

/** How many frames make a round of about ROUND_SECONDS (after a warm-up). */
function calibrate(decode: (i: number) => void): number {
  let n = 50;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) decode(i);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (s > ROUND_SECONDS / 4) return Math.max(1, Math.round((n * ROUND_SECONDS) / s));
    n *= 2;
  }
}

function packetsPerSecond(decode: (i: number) => void, frames: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < frames; i++) decode(i);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return (frames * PACKETS_A_FRAME) / s;
}

function candleFigures(log: (line: string) => void): Figure[] {
  const day = "2025-09-04";
  const instruments = [265, ...Array.from({ length: OPTIONS }, (_, k) => ((219_000 + k) << 8) | 5)];
  const seconds = (SESSION.end - SESSION.start) * 60;
  const count = seconds * TICKS_A_SECOND * instruments.length;
  const tokens = new Int32Array(count);
  const prices = new Float64Array(count);
  const times = new Float64Array(count);
  const open = istEpochMs(day, SESSION.start);
  const level: number[] = instruments.map((t) => (t === 265 ? 80_000 : 300));
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  let n = 0;
  for (let s = 0; s < seconds; s++) {
    for (let k = 0; k < TICKS_A_SECOND; k++) {
      for (let j = 0; j < instruments.length; j++) {
        const step = j === 0 ? 5 : 0.5;
        level[j] = Math.max(0.05, (level[j] as number) + (random() - 0.5) * step);
        tokens[n] = instruments[j] as number;
        prices[n] = Math.round((level[j] as number) * 20) / 20;
        times[n] = open + s * 1000 + k * (1000 / TICKS_A_SECOND) + j;
        n++;
      }
    }
  }
  const perSecond = TICKS_A_SECOND * instruments.length;
  const expectedCandles = instruments.length * ((SESSION.end - SESSION.start) / INTERVAL);

  const run = (): number => {
    let candles = 0;
    const builder = new CandleBuilder({
      intervalMinutes: INTERVAL,
      session: SESSION,
      onCandle: () => {
        candles++;
      },
    });
    for (let i = 0; i < count; i++) {
      builder.onTick(tokens[i] as number, prices[i] as number, times[i] as number);
      // The engine's once-a-second timer.
      if ((i + 1) % perSecond === 0) builder.closeDue(times[i] as number);
    }
    builder.closeDue(open + seconds * 1000);
    if (candles !== expectedCandles) throw new Error(`expected ${expectedCandles} candles, got ${candles}`);
    return candles;
  };
  run();
  run();
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    run();
    rates.push(count / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  const rate = median(rates);
  log(
    `ticks → candles: ${instruments.length} instruments, ${TICKS_A_SECOND} ticks/s each, 09:15-15:30: ` +
      `${count} ticks → ${expectedCandles} candles of ${INTERVAL} min, closeDue every second`,
  );
  return [
    {
      name: "ticks → candles (CandleBuilder, a full day)",
      value: Math.round(rate),
      unit: "ticks/s",
      target: ">= 2,000,000",
      met: rate >= 2e6,
    },
  ];
}
