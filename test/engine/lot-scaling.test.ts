import assert from "node:assert/strict";
import { test } from "node:test";
import { scaledQuantity } from "../../src/engine/lot-scaling.js";

test("scaledQuantity without the operator's lots → the strategy's quantity", () => {
  assert.equal(scaledQuantity(40, 2, null), 40);
});

test("scaledQuantity with the operator's lots → the quantity of those lots", () => {
  assert.equal(scaledQuantity(40, 2, 3), 60);
  assert.equal(scaledQuantity(40, 2, 1), 20);
  assert.equal(scaledQuantity(20, 1, 5), 100);
});
