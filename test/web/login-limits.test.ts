import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../../src/ports/clock.js";
import { hashPassword } from "../../src/web/password-hash.js";
import { addressGroupOf } from "../../src/web/rate-limit.js";
import {
  LOGIN_ATTEMPTS_A_MINUTE,
  MAX_CONCURRENT_PASSWORD_CHECKS,
} from "../../src/web/routes/dashboard-login.js";
import { PASSWORD, T0, testApp, testConfig } from "./web-fixture.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const form = (password: string) => `password=${encodeURIComponent(password)}`;

type App = ReturnType<typeof testApp>["app"];
const attempt = (app: App, remoteAddress: string, password = "wrong") =>
  app.inject({ method: "POST", url: "/auth/login", headers: FORM, payload: form(password), remoteAddress });

test("addressGroupOf → an IPv6 address as its /64, IPv4 (mapped or not) as itself", () => {
  assert.equal(addressGroupOf("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  assert.equal(addressGroupOf("2001:DB8:1:2:ffff:1:2:3"), "2001:db8:1:2::/64");
  assert.equal(addressGroupOf("2001:db8::7"), "2001:db8:0:0::/64");
  assert.equal(addressGroupOf("fe80::1%eth0"), "fe80:0:0:0::/64");
  assert.equal(addressGroupOf("::ffff:203.0.113.9"), "203.0.113.9");
  assert.equal(addressGroupOf("203.0.113.9"), "203.0.113.9");
  assert.equal(addressGroupOf("unknown"), "unknown");
});

test("login guesses from fresh addresses of one IPv6 /64 → limited as one client; another /64 is not held", async () => {
  const { app } = testApp();
  const statuses: number[] = [];
  for (let i = 1; i <= LOGIN_ATTEMPTS_A_MINUTE + 3; i++)
    statuses.push((await attempt(app, `2001:db8:1:2::${i.toString(16)}`)).statusCode);
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
  assert.equal((await attempt(app, "2001:db8:1:3::1", PASSWORD)).statusCode, 303);
});

test("login limit with the engine's clock 80 times faster (the demo) → counted on the wall clock: 5 guesses in 2 s, not 15", async () => {
  const wall = new ManualClock(T0);
  const { app, clock } = testApp({ deps: { wallClock: wall } });
  const statuses: number[] = [];
  // 15 guesses over 2 real seconds: 160 s of the demo's engine time.
  for (let i = 0; i < 15; i++) {
    statuses.push((await attempt(app, "198.51.100.77")).statusCode);
    clock.advance((2_000 / 15) * 80);
    wall.advance(2_000 / 15);
  }
  assert.equal(statuses.filter((s) => s === 401).length, LOGIN_ATTEMPTS_A_MINUTE, statuses.join(","));
  assert.equal(statuses.filter((s) => s === 429).length, 15 - LOGIN_ATTEMPTS_A_MINUTE);
  wall.advance(60_000);
  assert.equal((await attempt(app, "198.51.100.77", PASSWORD)).statusCode, 303, "a real minute later");
});

test(`login attempts from many addresses at once → at most ${MAX_CONCURRENT_PASSWORD_CHECKS} password checks run, the rest 429 at once`, async () => {
  // A costly hash (~30-60 ms a check) so that the attempts overlap for sure.
  const hash = await hashPassword(PASSWORD, { ln: 14, r: 8, p: 1 });
  const { app } = testApp({ config: testConfig({ password_hash: hash }) });
  const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => attempt(app, `203.0.113.${i + 10}`)));
  const statuses = answers.map((r) => r.statusCode).sort();
  assert.deepEqual(statuses, [401, 401, 429, 429, 429, 429]);
  const busy = answers.find((r) => r.statusCode === 429);
  assert.equal(busy?.headers["retry-after"], "1");
  assert.match(String(busy?.body), /try again in a second/);
  // The slots are given back: the right password then gets in.
  assert.equal((await attempt(app, "203.0.113.99", PASSWORD)).statusCode, 303);
});
