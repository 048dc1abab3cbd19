/*
 * Kite's ticker binary protocol (KITE.md "Ticker WebSocket"): decoding for the client, and
 * encoding for the local simulator, in one place so that both speak exactly the same layout.
 *
 * A frame is big-endian: int16 packet count, then for each packet an int16 length and the
 * packet. A 1-byte frame is a heartbeat. Prices are int32 in paise (CDS in 1e-7, BCD in 1e-4).
 * The packet's length tells its mode: 8 LTP, 28 index quote, 32 index full, 44 quote, 184 full.
 */

// A decoded packet is the engine's market tick (ports/market-data.ts): the decoder translates
// Kite's binary frames into it, and the simulator's encoder writes it back out.
import type { DepthLevel, MarketTick } from "../../ports/market-data.js";

export type { DepthLevel, TickMode } from "../../ports/market-data.js";
/** One decoded packet (the port's MarketTick). */
export type Tick = MarketTick;

/** Exchange segment codes of `instrument_token & 0xff`. */
export const SEGMENT = {
  NSE: 1,
  NFO: 2,
  CDS: 3,
  BSE: 4,
  BFO: 5,
  BCD: 6,
  MCX: 7,
  MCXSX: 8,
  INDICES: 9,
} as const;

export const PACKET_LENGTH = { ltp: 8, indexQuote: 28, indexFull: 32, quote: 44, full: 184 } as const;

/** Divisor of the int32 prices of an instrument's segment. */
export function priceDivisor(instrumentToken: number): number {
  const segment = instrumentToken & 0xff;
  if (segment === SEGMENT.CDS) return 10_000_000;
  if (segment === SEGMENT.BCD) return 10_000;
  return 100;
}

/** True for a heartbeat frame (one byte) or an empty one. */
export function isHeartbeat(frame: Uint8Array): boolean {
  return frame.length < 2;
}

/**
 * Decodes a binary frame, calling `onTick` for every packet. Packets of an unknown length
 * are skipped (Kite may add modes), as is a frame cut short. Returns the number of ticks.
 */
export function decodeFrame(frame: Uint8Array, onTick: (tick: Tick) => void): number {
  if (frame.length < 2) return 0;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const count = view.getInt16(0);
  let offset = 2;
  let decoded = 0;
  for (let i = 0; i < count && offset + 2 <= frame.length; i++) {
    const length = view.getInt16(offset);
    offset += 2;
    if (offset + length > frame.length) break;
    const tick = decodePacketAt(view, offset, length);
    offset += length;
    if (tick) {
      onTick(tick);
      decoded++;
    }
  }
  return decoded;
}

/** Decodes all the packets of a frame into an array. */
export function decodeFrameToArray(frame: Uint8Array): Tick[] {
  const ticks: Tick[] = [];
  decodeFrame(frame, (t) => ticks.push(t));
  return ticks;
}

/** Decodes one packet (without the frame's count and length prefixes); null for an unknown length. */
export function decodePacket(packet: Uint8Array): Tick | null {
  return decodePacketAt(
    new DataView(packet.buffer, packet.byteOffset, packet.byteLength),
    0,
    packet.byteLength,
  );
}

function decodePacketAt(v: DataView, o: number, length: number): Tick | null {
  if (length < PACKET_LENGTH.ltp) return null;
  const token = v.getInt32(o);
  const divisor = priceDivisor(token);
  const tradable = (token & 0xff) !== SEGMENT.INDICES;
  const price = (at: number) => v.getInt32(o + at) / divisor;
  const lastPrice = price(4);

  if (length === PACKET_LENGTH.ltp) {
    return { mode: "ltp", tradable, instrument_token: token, last_price: lastPrice };
  }
  if (length === PACKET_LENGTH.indexQuote || length === PACKET_LENGTH.indexFull) {
    const close = price(20);
    const tick: Tick = {
      mode: length === PACKET_LENGTH.indexFull ? "full" : "quote",
      tradable,
      instrument_token: token,
      last_price: lastPrice,
      ohlc: { high: price(8), low: price(12), open: price(16), close },
      change: close === 0 ? 0 : ((lastPrice - close) * 100) / close,
    };
    if (length === PACKET_LENGTH.indexFull) tick.timestamp = v.getInt32(o + 28);
    return tick;
  }
  if (length === PACKET_LENGTH.quote || length === PACKET_LENGTH.full) {
    const close = price(40);
    const tick: Tick = {
      mode: length === PACKET_LENGTH.full ? "full" : "quote",
      tradable,
      instrument_token: token,
      last_price: lastPrice,
      last_quantity: v.getInt32(o + 8),
      average_price: price(12),
      volume: v.getInt32(o + 16),
      buy_quantity: v.getInt32(o + 20),
      sell_quantity: v.getInt32(o + 24),
      ohlc: { open: price(28), high: price(32), low: price(36), close },
      change: close === 0 ? 0 : ((lastPrice - close) * 100) / close,
    };
    if (length === PACKET_LENGTH.full) {
      tick.last_trade_time = v.getInt32(o + 44);
      tick.oi = v.getInt32(o + 48);
      tick.oi_day_high = v.getInt32(o + 52);
      tick.oi_day_low = v.getInt32(o + 56);
      tick.timestamp = v.getInt32(o + 60);
      const buy: DepthLevel[] = [];
      const sell: DepthLevel[] = [];
      for (let i = 0; i < 10; i++) {
        const at = o + 64 + i * 12;
        const level = {
          quantity: v.getInt32(at),
          price: v.getInt32(at + 4) / divisor,
          orders: v.getInt16(at + 8),
        };
        (i < 5 ? buy : sell).push(level);
      }
      tick.depth = { buy, sell };
    }
    return tick;
  }
  return null;
}

/** A packet to encode: a tick in a mode, for the simulator. */
export type EncodableTick = Tick;

/** The length of a tick's packet in its mode (index instruments have their own layouts). */
export function packetLength(tick: EncodableTick): number {
  if (tick.mode === "ltp") return PACKET_LENGTH.ltp;
  if ((tick.instrument_token & 0xff) === SEGMENT.INDICES) {
    return tick.mode === "full" ? PACKET_LENGTH.indexFull : PACKET_LENGTH.indexQuote;
  }
  return tick.mode === "full" ? PACKET_LENGTH.full : PACKET_LENGTH.quote;
}

/** Encodes ticks into one binary frame, each in its own mode. */
export function encodeFrame(ticks: readonly EncodableTick[]): Buffer {
  let size = 2;
  for (const t of ticks) size += 2 + packetLength(t);
  const buf = Buffer.alloc(size);
  buf.writeInt16BE(ticks.length, 0);
  let o = 2;
  for (const t of ticks) {
    const length = packetLength(t);
    buf.writeInt16BE(length, o);
    encodePacketAt(buf, o + 2, t, length);
    o += 2 + length;
  }
  return buf;
}

/** The one-byte heartbeat frame. */
export const HEARTBEAT_FRAME: Buffer = Buffer.from([0]);

function encodePacketAt(buf: Buffer, o: number, t: EncodableTick, length: number): void {
  const divisor = priceDivisor(t.instrument_token);
  const price = (at: number, value: number) => buf.writeInt32BE(Math.round(value * divisor), o + at);
  const int = (at: number, value: number | undefined) => buf.writeInt32BE(Math.round(value ?? 0), o + at);
  buf.writeInt32BE(t.instrument_token | 0, o);
  price(4, t.last_price);
  if (length === PACKET_LENGTH.ltp) return;
  const ohlc = t.ohlc ?? { open: 0, high: 0, low: 0, close: 0 };
  if (length === PACKET_LENGTH.indexQuote || length === PACKET_LENGTH.indexFull) {
    price(8, ohlc.high);
    price(12, ohlc.low);
    price(16, ohlc.open);
    price(20, ohlc.close);
    price(24, t.last_price - ohlc.close);
    if (length === PACKET_LENGTH.indexFull) int(28, t.timestamp);
    return;
  }
  int(8, t.last_quantity);
  price(12, t.average_price ?? 0);
  int(16, t.volume);
  int(20, t.buy_quantity);
  int(24, t.sell_quantity);
  price(28, ohlc.open);
  price(32, ohlc.high);
  price(36, ohlc.low);
  price(40, ohlc.close);
  if (length !== PACKET_LENGTH.full) return;
  int(44, t.last_trade_time);
  int(48, t.oi);
  int(52, t.oi_day_high);
  int(56, t.oi_day_low);
  int(60, t.timestamp);
  for (let i = 0; i < 10; i++) {
    const level = i < 5 ? t.depth?.buy[i] : t.depth?.sell[i - 5];
    const at = 64 + i * 12;
    int(at, level?.quantity);
    price(at + 4, level?.price ?? 0);
    buf.writeInt16BE(level?.orders ?? 0, o + at + 8);
  }
}

/** A text frame of the ticker socket: order updates, errors and messages. */
export type TextMessage =
  | { type: "order"; data: Record<string, unknown> }
  | { type: "error"; data: unknown }
  | { type: "message"; data: unknown }
  | { type: "unknown"; raw: string };

/** Parses a text frame; anything that is not one of Kite's known messages comes back as `unknown`. */
export function parseTextFrame(text: string): TextMessage {
  try {
    const m = JSON.parse(text) as { type?: unknown; data?: unknown };
    if (m && typeof m === "object") {
      if (m.type === "order" && m.data && typeof m.data === "object") {
        return { type: "order", data: m.data as Record<string, unknown> };
      }
      if (m.type === "error" || m.type === "message") return { type: m.type, data: m.data };
    }
  } catch {
    // fall through: not JSON
  }
  return { type: "unknown", raw: text };
}
