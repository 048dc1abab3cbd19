import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  decodeFrameToArray,
  decodePacket,
  encodeFrame,
  HEARTBEAT_FRAME,
  isHeartbeat,
  parseTextFrame,
  type Tick,
} from "../../../src/adapters/kite/ticker-protocol.js";
import { istPartsOf } from "../../../src/domain/ist.js";
import { SHARED_DIR } from "../../support/paths.js";

const mock = (name: string) => readFileSync(`${SHARED_DIR}kite-mocks/${name}`, "utf8");
const packet = (name: string) => Buffer.from(mock(name).trim(), "base64");

/** Kite's JSON writes times as IST ISO strings; the decoder keeps epoch seconds. */
function isoIstOfSeconds(seconds: number): string {
  const p = istPartsOf(seconds * 1000);
  const hh = String(Math.floor(p.minute / 60)).padStart(2, "0");
  const mm = String(p.minute % 60).padStart(2, "0");
  return `${p.date}T${hh}:${mm}:${String(p.second).padStart(2, "0")}+05:30`;
}

test("decodePacket of Zerodha's quote fixture → the published values", () => {
  const expected = JSON.parse(mock("ticker_quote.json"));
  const tick = decodePacket(packet("ticker_quote.packet"));
  assert.ok(tick);
  const { change, ...rest } = tick;
  const { change: _publishedChange, ...published } = expected;
  assert.deepEqual(rest, published);
  // The fixture's "change" (5.9) does not follow from its own prices; the official clients
  // compute the percent change from the close, as this decoder does.
  assert.ok(Math.abs((change as number) - ((1573.15 - 1567.8) * 100) / 1567.8) < 1e-9);
});

test("decodePacket of Zerodha's full fixture → the published values, depth and times", () => {
  const expected = JSON.parse(mock("ticker_full.json"));
  const tick = decodePacket(packet("ticker_full.packet"));
  assert.ok(tick);
  assert.equal(tick.mode, "full");
  assert.equal(isoIstOfSeconds(tick.last_trade_time as number), expected.last_trade_time);
  assert.equal(isoIstOfSeconds(tick.timestamp as number), expected.timestamp);
  const { change: _c, last_trade_time: _l, timestamp: _t, ...rest } = tick;
  const { change: _c2, last_trade_time: _l2, timestamp: _t2, ...published } = expected;
  assert.deepEqual(rest, published);
});

test("encodeFrame then decode → the same ticks in every mode, index and option", () => {
  const ticks: Tick[] = [
    { mode: "ltp", tradable: true, instrument_token: 219964165, last_price: 512.35 },
    {
      mode: "quote",
      tradable: false,
      instrument_token: 265,
      last_price: 80512.25,
      ohlc: { open: 80100, high: 80600.5, low: 80050.75, close: 80000 },
      change: (512.25 * 100) / 80000,
    },
    {
      mode: "full",
      tradable: false,
      instrument_token: 265,
      last_price: 80512.25,
      ohlc: { open: 80100, high: 80600.5, low: 80050.75, close: 80000 },
      change: (512.25 * 100) / 80000,
      timestamp: 1_757_000_000,
    },
    {
      mode: "full",
      tradable: true,
      instrument_token: 219964165,
      last_price: 512.35,
      last_quantity: 20,
      average_price: 498.1,
      volume: 123400,
      buy_quantity: 5000,
      sell_quantity: 7000,
      ohlc: { open: 480, high: 530.05, low: 470.5, close: 500 },
      change: (12.35 * 100) / 500,
      last_trade_time: 1_757_000_001,
      oi: 1000,
      oi_day_high: 1200,
      oi_day_low: 900,
      timestamp: 1_757_000_002,
      depth: {
        buy: [1, 2, 3, 4, 5].map((i) => ({ price: 512 - i * 0.05, quantity: 20 * i, orders: i })),
        sell: [1, 2, 3, 4, 5].map((i) => ({ price: 512.4 + i * 0.05, quantity: 40 * i, orders: i })),
      },
    },
  ];
  const decoded = decodeFrameToArray(encodeFrame(ticks));
  assert.equal(decoded.length, 4);
  for (const [i, t] of decoded.entries()) {
    const want = ticks[i] as Tick;
    assert.equal(t.mode, want.mode);
    assert.equal(t.instrument_token, want.instrument_token);
    assert.equal(t.last_price, want.last_price);
    assert.deepEqual(t.ohlc, want.ohlc);
    assert.equal(t.timestamp, want.timestamp);
    if (want.depth)
      assert.deepEqual(
        t.depth,
        JSON.parse(
          JSON.stringify(want.depth, (_k, v) => (typeof v === "number" ? Math.round(v * 100) / 100 : v)),
        ),
      );
  }
});

test("decodeFrame of a heartbeat, a cut frame or an unknown packet length → no ticks, no throw", () => {
  assert.ok(isHeartbeat(HEARTBEAT_FRAME));
  assert.deepEqual(decodeFrameToArray(HEARTBEAT_FRAME), []);
  const frame = encodeFrame([{ mode: "ltp", tradable: true, instrument_token: 5, last_price: 1 }]);
  assert.deepEqual(decodeFrameToArray(frame.subarray(0, frame.length - 2)), []);
  const odd = Buffer.from([0, 1, 0, 3, 1, 2, 3]);
  assert.deepEqual(decodeFrameToArray(odd), []);
});

test("parseTextFrame → order updates, errors and messages; junk as unknown", () => {
  assert.deepEqual(parseTextFrame('{"type":"order","data":{"order_id":"1","status":"COMPLETE"}}'), {
    type: "order",
    data: { order_id: "1", status: "COMPLETE" },
  });
  assert.deepEqual(parseTextFrame('{"type":"error","data":"bad"}'), { type: "error", data: "bad" });
  assert.deepEqual(parseTextFrame('{"type":"message","data":"hi"}'), { type: "message", data: "hi" });
  assert.deepEqual(parseTextFrame("not json"), { type: "unknown", raw: "not json" });
});
