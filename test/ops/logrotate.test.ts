import assert from "node:assert/strict";
import { test } from "node:test";
import { renderLogrotate } from "../../src/ops/deploy/logrotate.js";

test("renderLogrotate → nginx's and the app's logs: daily, size cap, compressed, kept the retention", () => {
  const text = renderLogrotate({ appLogDir: "/opt/pivot/logs", user: "pivot", retentionDays: 30 });
  const stanzas = text.split(/\n(?=\S.*\{\n)/).filter((s) => s.includes("{"));
  const nginx = stanzas.find((s) => s.startsWith("/var/log/nginx/pivot/*.log {"));
  const app = stanzas.find((s) => s.startsWith("/opt/pivot/logs/pivot.*.log {"));
  assert.ok(nginx, text);
  assert.ok(app, text);
  for (const s of [nginx, app]) {
    for (const d of [
      "daily",
      "maxsize 100M",
      "rotate 30",
      "maxage 30",
      "compress",
      "missingok",
      "notifempty",
    ])
      assert.match(s, new RegExp(`^\\s+${d}$`, "m"), `${d} in\n${s}`);
  }
  assert.match(nginx, /kill -USR1/); // nginx reopens its files
  assert.match(app, /^\s+su pivot pivot$/m);
  assert.match(app, /^\s+copytruncate$/m); // the app keeps its file open
});

test("renderLogrotate with a relative folder or a bad size → RangeError", () => {
  assert.throws(() => renderLogrotate({ appLogDir: "logs", user: "pivot", retentionDays: 30 }), /absolute/);
  assert.throws(
    () =>
      renderLogrotate({ appLogDir: "/opt/pivot/logs", user: "pivot", retentionDays: 30, maxSize: "huge" }),
    /max size/,
  );
  assert.throws(
    () => renderLogrotate({ appLogDir: "/opt/pivot/logs", user: "pivot", retentionDays: 0 }),
    /retention/,
  );
});
