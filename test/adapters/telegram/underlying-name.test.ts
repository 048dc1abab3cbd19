/** Telegram names the traded underlying (`trading.instrument`) rather than a fixed SENSEX. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { statusReply } from "../../../src/adapters/telegram/bot-replies.js";
import { statusSnapshot } from "./fixtures.js";

test("/status of a NIFTY day → the index line names NIFTY with its spot, ATM and Tuesday expiry", () => {
  const base = statusSnapshot();
  const reply = statusReply(
    statusSnapshot({
      universe: { ...base.universe, underlying: "NIFTY", spot: 24_981.4, atm: 25_000, expiry: "2025-09-09" },
      position: null,
    }),
  );
  const lines = reply.text.split("\n");
  assert.ok(lines.includes("NIFTY 24,981.40 · ATM 25,000 · expiry Tue 09 Sep 2025"), reply.text);
  assert.doesNotMatch(reply.text, /SENSEX/);
});
