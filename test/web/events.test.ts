import assert from "node:assert/strict";
import { type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import type { Repeat } from "../../src/web/context.js";
import { MAX_EVENT_STREAMS } from "../../src/web/routes/events.js";
import { waitFor } from "../support/wait.js";
import { logIn, SYMBOL, testApp } from "./web-fixture.js";

/** Keep-alive timers fired by hand. */
function handRepeat() {
  const timers = new Set<() => void>();
  const repeat: Repeat = (fn) => {
    timers.add(fn);
    return () => {
      timers.delete(fn);
    };
  };
  const fire = () => {
    for (const fn of [...timers]) fn();
  };
  return { repeat, fire, count: () => timers.size };
}

/** Opens /events on the listening app; collects what arrives. */
async function openStream(port: number, cookie: string) {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/events", headers: { cookie, accept: "text/event-stream" } },
      resolve,
    );
    req.on("error", reject);
    req.end();
  });
  let text = "";
  res.setEncoding("utf8");
  res.on("data", (d: string) => {
    text += d;
  });
  const ended = new Promise<void>((resolve) => res.on("close", () => resolve()));
  return { res, text: () => text, ended };
}

test("GET /events → a status event first, then live events as they come, keep-alives, unsubscribed on close", async (t) => {
  const hand = handRepeat();
  const { app, engine } = testApp({ deps: { repeat: hand.repeat } });
  t.after(() => app.close());
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const { cookie } = await logIn(app);

  const stream = await openStream(port, cookie);
  assert.equal(stream.res.statusCode, 200);
  assert.match(String(stream.res.headers["content-type"]), /^text\/event-stream/);
  assert.equal(stream.res.headers["x-content-type-options"], "nosniff");
  assert.match(String(stream.res.headers["content-security-policy"]), /frame-ancestors 'none'/);
  await waitFor(() => stream.text().includes("event: status"), "the first status event");
  const first = /event: status\ndata: (.*)\n\n/.exec(stream.text());
  assert.equal(JSON.parse(first?.[1] ?? "{}").status.mode, "PAPER");
  assert.equal(engine.listeners.size, 1);

  engine.emit({ type: "tick", symbol: SYMBOL, ltp: 311.25 });
  engine.emit({ type: "alert", level: "warning", message: "ticker silent for 12 s" });
  await waitFor(() => stream.text().includes("event: alert"), "the alert");
  assert.match(
    stream.text(),
    /event: tick\ndata: \{"type":"tick","symbol":"SENSEX2591180500CE","ltp":311.25\}\n\n/,
  );

  hand.fire();
  await waitFor(() => stream.text().includes(": keep-alive\n\n"), "a keep-alive comment");

  stream.res.destroy();
  await waitFor(() => engine.listeners.size === 0, "the unsubscription");
  assert.equal(hand.count(), 0, "the keep-alive timer stopped");
});

test("GET /events streams open → ended when the app closes", async () => {
  const hand = handRepeat();
  const { app, engine } = testApp({ deps: { repeat: hand.repeat } });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const { cookie } = await logIn(app);
  const stream = await openStream(port, cookie);
  await waitFor(() => stream.text().includes("event: status"), "the first status event");
  await app.close();
  await stream.ended;
  assert.equal(engine.listeners.size, 0);
});

test(`GET /events beyond ${MAX_EVENT_STREAMS} open streams → 429`, async (t) => {
  const hand = handRepeat();
  const { app } = testApp({ deps: { repeat: hand.repeat } });
  t.after(() => app.close());
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const { cookie } = await logIn(app);
  const streams = [];
  for (let i = 0; i < MAX_EVENT_STREAMS; i++) streams.push(await openStream(port, cookie));
  const res = await app.inject({ method: "GET", url: "/events", headers: { cookie } });
  assert.equal(res.statusCode, 429);
  for (const s of streams) s.res.destroy();
});
