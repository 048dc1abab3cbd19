import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, test } from "node:test";
import {
  POSTBACK_RAW_CAP,
  PostbackBodiesRepository,
} from "../../src/adapters/sqlite/postback-bodies-repo.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { EnginePostbackSink } from "../../src/engine/postback-sink.js";
import { ManualClock } from "../../src/ports/clock.js";
import { SeededRandom } from "../../src/sim/rng.js";
import { API_SECRET, signedPostback, T0, testApp } from "./web-fixture.js";

/*
 * 10,000 random and malformed postbacks (seeded: the same run every time) through the app:
 * garbage bytes, broken JSON, wrong types, forged and near-miss checksums, tampered bodies,
 * huge fields, odd content types, deep nesting, prototype keys, mixed with genuine updates.
 * Nothing may end in a 5xx, only the genuine updates may reach the sink, and the app must
 * still answer /health afterwards.
 */

const RUNS = 10_000;
const SEED = 20250904;

const CONTENT_TYPES = [
  undefined,
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/octet-stream",
  "application/json; charset=utf-99",
  ";;;",
  "text/html; charset",
  "*/*",
  "application/vnd.kite+json",
  "a".repeat(300),
];

const WRONG_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  "",
  "x".repeat(1000),
  [],
  [1, "a"],
  {},
  { nested: { deeper: [null] } },
  "2025-09-04 09:30:01",
  "\u0000\uffff\ud800",
];

const FIELDS = [
  "order_id",
  "order_timestamp",
  "checksum",
  "status",
  "quantity",
  "filled_quantity",
  "price",
  "average_price",
  "transaction_type",
  "order_type",
  "tradingsymbol",
  "tag",
  "user_id",
];

function pick<T>(rng: SeededRandom, list: readonly T[]): T {
  return list[rng.int(0, list.length - 1)] as T;
}

function randomText(rng: SeededRandom, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += String.fromCharCode(rng.int(0, 0xffff));
  return s;
}

function randomHex(rng: SeededRandom, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += "0123456789abcdef"[rng.int(0, 15)];
  return s;
}

/** True when the body carries the right checksum for its own order id and timestamp (the oracle). */
function isSigned(body: string): boolean {
  let b: unknown;
  try {
    b = JSON.parse(body);
  } catch {
    return false;
  }
  if (typeof b !== "object" || b === null) return false;
  const { order_id, order_timestamp, checksum } = b as Record<string, unknown>;
  if (typeof order_id !== "string" || typeof order_timestamp !== "string" || typeof checksum !== "string")
    return false;
  return (
    checksum ===
    createHash("sha256")
      .update(order_id + order_timestamp + API_SECRET)
      .digest("hex")
  );
}

/** One malformed body, and the order id of a genuine update (which must be accepted). */
function fuzzBody(rng: SeededRandom, i: number): { body: string; genuine: string | null } {
  const orderId = `F${i}`;
  const base = () => JSON.parse(signedPostback({ order_id: orderId })) as Record<string, unknown>;
  switch (rng.int(0, 13)) {
    case 0:
      return { body: randomText(rng, rng.int(0, 300)), genuine: null };
    case 1: {
      const valid = signedPostback({ order_id: orderId });
      return { body: valid.slice(0, rng.int(0, valid.length - 1)), genuine: null };
    }
    case 2: {
      const b = base();
      // The checksum covers order_id + order_timestamp only: another field changed keeps it
      // right (Kite's word, as a postback cannot prove more), and is accepted when readable.
      b[pick(rng, FIELDS)] = pick(rng, WRONG_VALUES);
      return { body: JSON.stringify(b), genuine: null };
    }
    case 3: {
      const b = base();
      b.checksum = randomHex(rng, 64);
      return { body: JSON.stringify(b), genuine: null };
    }
    case 4:
      return { body: signedPostback({ order_id: orderId }, `not-${API_SECRET}`), genuine: null };
    case 5: {
      // Signed, then tampered with: another order id or timestamp.
      const b = base();
      if (rng.next() < 0.5) b.order_id = `${orderId}9`;
      else b.order_timestamp = "2025-09-04 09:30:02";
      return { body: JSON.stringify(b), genuine: null };
    }
    case 6: {
      // Near misses: one digit off, one short, one long, padded.
      const b = base();
      const good = String(b.checksum);
      const variants = [
        `${good.slice(0, 63)}${good[63] === "0" ? "1" : "0"}`,
        good.slice(0, 63),
        `${good}0`,
        ` ${good}`,
      ];
      b.checksum = pick(rng, variants);
      return { body: JSON.stringify(b), genuine: null };
    }
    case 7: {
      const b = base();
      b.status_message = "z".repeat(rng.int(40_000, 120_000));
      return { body: JSON.stringify(b), genuine: null };
    }
    case 8: {
      const depth = rng.int(100, 20_000);
      return {
        body: `${"[".repeat(depth)}${"]".repeat(rng.next() < 0.5 ? depth : depth - 1)}`,
        genuine: null,
      };
    }
    case 9: {
      const b = base();
      return {
        body: JSON.stringify(b).replace(
          "{",
          '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},',
        ),
        genuine: null,
      };
    }
    case 10: {
      // The checksum made with the right secret over other fields' concatenation.
      const b = base();
      b.checksum = createHash("sha256")
        .update(String(b.order_timestamp) + String(b.order_id) + API_SECRET)
        .digest("hex");
      return { body: JSON.stringify(b), genuine: null };
    }
    case 11:
      return {
        body: pick(rng, ["", "null", "[]", "{}", "0", '"x"', "true", "\u0000", "\ufeff{}"]),
        genuine: null,
      };
    case 12: {
      const b = base();
      delete b[pick(rng, ["order_id", "order_timestamp", "checksum"])];
      return { body: JSON.stringify(b), genuine: null };
    }
    default:
      // A genuine update, distinct from every other.
      return { body: signedPostback({ order_id: orderId }), genuine: orderId };
  }
}

/** Sends `runs` fuzzed bodies; returns the genuine order ids and the count of each status. */
async function fuzz(app: ReturnType<typeof testApp>["app"], runs: number, seed: number) {
  const rng = new SeededRandom(seed);
  const genuine = new Set<string>();
  const statuses = new Map<number, number>();
  for (let i = 0; i < runs; i++) {
    const { body, genuine: id } = fuzzBody(rng, i);
    if (id) genuine.add(id);
    const type = pick(rng, CONTENT_TYPES);
    const headers: Record<string, string> = type === undefined ? {} : { "content-type": type };
    const res = await app.inject({
      method: "POST",
      url: "/postback",
      payload: body,
      headers,
      remoteAddress: `198.51.100.${rng.int(1, 40)}`,
    });
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    assert.ok(
      res.statusCode < 500,
      `run ${i}: ${res.statusCode} ${res.body} for ${type} ${body.slice(0, 200)}`,
    );
    if (id) assert.equal(res.statusCode, 200, `run ${i}: a genuine update refused: ${res.body}`);
  }
  return { genuine, statuses };
}

test(`${RUNS} random and malformed postbacks → no 5xx, only genuine updates accepted, still healthy`, async () => {
  const { app, sink } = testApp();
  const { genuine, statuses } = await fuzz(app, RUNS, SEED);
  for (const { update, raw } of sink.accepted) {
    assert.ok(isSigned(raw), `an unsigned body reached the sink: ${raw.slice(0, 200)}`);
    assert.equal(update.orderId, JSON.parse(raw).order_id);
  }
  const accepted = new Set(sink.accepted.map((a) => a.update.orderId));
  for (const orderId of genuine) assert.ok(accepted.has(orderId), `genuine ${orderId} missing from the sink`);
  assert.ok(genuine.size > 300, `enough genuine updates mixed in (${genuine.size})`);
  // The mix exercised every answer the route has.
  for (const code of [200, 400, 401, 413, 429])
    assert.ok((statuses.get(code) ?? 0) > 0, `some ${code}s: ${[...statuses]}`);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "no prototype pollution");

  const health = await app.inject({ method: "GET", url: "/health" });
  assert.equal(health.statusCode, 200);
});

test("2,000 random and malformed postbacks into the engine's sink and SQLite → no 5xx, only signed bodies stored, every genuine one", async () => {
  const store = Store.open(":memory:", { clock: new ManualClock(T0) });
  after(() => store.close());
  const bodies = new PostbackBodiesRepository(store.db, new ManualClock(T0));
  const sink = new EnginePostbackSink({ bodies, confirmer: { enqueue: () => {} } });
  const { app } = testApp({ deps: { postbacks: sink } });
  const { genuine, statuses } = await fuzz(app, 2_000, SEED + 1);
  assert.equal(statuses.get(503) ?? 0, 0);
  const rows = store.db.prepare("SELECT kite_order_id, raw, raw_bytes FROM postback_bodies").all() as {
    kite_order_id: string;
    raw: string;
    raw_bytes: number;
  }[];
  for (const { kite_order_id, raw, raw_bytes } of rows) {
    // A body over the cap (a signed one padded to 40-64 KB) is stored cut, no longer JSON.
    if (raw_bytes > POSTBACK_RAW_CAP) {
      assert.match(raw, /…\[cut: \d+ more characters\]$/, kite_order_id);
      assert.ok(raw.length < POSTBACK_RAW_CAP + 100, kite_order_id);
    } else assert.ok(isSigned(raw), `an unsigned body was stored: ${raw.slice(0, 200)}`);
  }
  for (const orderId of genuine)
    assert.equal(bodies.byOrder(orderId).length, 1, `genuine ${orderId} not stored once`);
  assert.ok(genuine.size > 60, `enough genuine updates mixed in (${genuine.size})`);
  assert.equal((await app.inject({ method: "GET", url: "/health" })).statusCode, 200);
});
