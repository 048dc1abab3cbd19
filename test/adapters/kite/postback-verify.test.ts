import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { verifyPostback } from "../../../src/adapters/kite/postback-verify.js";
import { mockJson, mockText } from "./fake-kite.js";

const SECRET = "test-api-secret-123";

/** Zerodha's recorded postback with the checksum a known secret gives. */
function signed(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const body = { ...mockJson("postback.json"), ...changes };
  body.checksum = createHash("sha256")
    .update(String(body.order_id) + String(body.order_timestamp) + SECRET)
    .digest("hex");
  return body;
}

test("verifyPostback with the right checksum → the update, order_timestamp as received", () => {
  const r = verifyPostback(JSON.stringify(signed()), SECRET);
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.equal(r.update.order_id, "220303000308932");
  assert.equal(r.update.status, "COMPLETE");
  assert.equal(r.update.filled_quantity, 1);
  assert.equal(r.update.average_price, 470);
  assert.equal(r.update.order_timestamp, "2022-03-03 09:24:25");
  assert.equal(r.update.tag, null);
  assert.equal(r.update.user_id, "AB1234");
});

test("verifyPostback of the recorded fixture with another secret → bad_checksum", () => {
  assert.deepEqual(verifyPostback(mockText("postback.json"), SECRET), { ok: false, reason: "bad_checksum" });
});

test("verifyPostback with a wrong checksum of the right length → bad_checksum", () => {
  const body = signed();
  body.checksum = (body.checksum as string).replace(/.$/, (c) => (c === "0" ? "1" : "0"));
  assert.deepEqual(verifyPostback(JSON.stringify(body), SECRET), { ok: false, reason: "bad_checksum" });
});

test("verifyPostback with a checksum of another length → bad_checksum, no throw", () => {
  for (const checksum of ["abc", `${"a".repeat(64)}00`, "z".repeat(64)]) {
    assert.deepEqual(verifyPostback(JSON.stringify({ ...signed(), checksum }), SECRET), {
      ok: false,
      reason: "bad_checksum",
    });
  }
});

test("verifyPostback without a checksum → missing_checksum", () => {
  const body = signed();
  delete body.checksum;
  assert.deepEqual(verifyPostback(JSON.stringify(body), SECRET), { ok: false, reason: "missing_checksum" });
  assert.deepEqual(verifyPostback(JSON.stringify({ ...body, checksum: "" }), SECRET), {
    ok: false,
    reason: "missing_checksum",
  });
});

test("verifyPostback with order_id or order_timestamp changed after signing → bad_checksum", () => {
  for (const change of [{ order_id: "220303000308933" }, { order_timestamp: "2022-03-03 09:24:26" }]) {
    const body = { ...signed(), ...change };
    assert.deepEqual(verifyPostback(JSON.stringify(body), SECRET), { ok: false, reason: "bad_checksum" });
  }
});

test("verifyPostback with the timestamp re-formatted → bad_checksum (the text as received counts)", () => {
  const body = { ...signed(), order_timestamp: "2022-03-03T09:24:25" };
  assert.deepEqual(verifyPostback(JSON.stringify(body), SECRET), { ok: false, reason: "bad_checksum" });
});

test("verifyPostback with a field outside the checksum changed → still verifies (Kite signs order_id and timestamp only)", () => {
  const body = { ...signed(), filled_quantity: 20 };
  const r = verifyPostback(JSON.stringify(body), SECRET);
  assert.equal(r.ok && r.update.filled_quantity, 20);
});

test("verifyPostback of invalid JSON or a non-object → invalid_json", () => {
  for (const raw of ["{not json", "", "[]", "null", '"text"']) {
    assert.deepEqual(verifyPostback(raw, SECRET), { ok: false, reason: "invalid_json" }, raw);
  }
});

test("verifyPostback without order_id or order_timestamp → missing_fields", () => {
  for (const field of ["order_id", "order_timestamp"]) {
    const body = signed();
    delete body[field];
    assert.deepEqual(verifyPostback(JSON.stringify(body), SECRET), { ok: false, reason: "missing_fields" });
  }
});

test("verifyPostback signed right but without the order's fields (status) → missing_fields", () => {
  const body = signed();
  delete body.status;
  assert.deepEqual(verifyPostback(JSON.stringify(body), SECRET), { ok: false, reason: "missing_fields" });
});

test("verifyPostback with an empty api_secret → bad_checksum even when it matches", () => {
  const body = mockJson("postback.json");
  body.checksum = createHash("sha256")
    .update(String(body.order_id) + String(body.order_timestamp))
    .digest("hex");
  assert.deepEqual(verifyPostback(JSON.stringify(body), ""), { ok: false, reason: "bad_checksum" });
});
