/**
 * Issue 13 §1 through the whole service: someone completes a Kite login with an account that is
 * not kite.user_id and sends Kite's redirect to the service's /callback. The service refuses it
 * before storing anything, keeps the trader's session, shows it on /status and audits it; and a
 * public visitor's /login starts nothing.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { FilePendingStates, LoginFlow, loginStatesPath } from "../../src/adapters/kite/login-flow.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { readSessionFile, SessionStore } from "../../src/adapters/kite/session-store.js";
import { type ServiceStack, startServiceStack } from "../../src/app/service-stack.js";
import { parseConfig } from "../../src/config/load.js";
import { systemClock } from "../../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { REAL_CANDLES_DIR } from "../support/paths.js";
import { loginAtSim } from "../support/sim-login.js";

const API_TOKEN = "status-token-0123456789abcdef";
const tmp = mkdtempSync(join(tmpdir(), "pivot-foreign-session-"));
let sim: RunningSimulator | null = null;
let stack: ServiceStack | null = null;
after(async () => {
  await stack?.stop();
  await sim?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test("a Kite login of another account reaching the service's /callback → 400, the trader's session kept, /status critical, audited; a public /login starts nothing", async () => {
  // The simulator's only account is ZX9999: every login there is "someone else's".
  sim = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    startPaused: true,
    startTime: "08:50",
    userId: "ZX9999",
    rateLimits: false,
  });
  const parsed = parseConfig({
    api_key: sim.apiKey,
    api_secret: sim.apiSecret,
    trading: { paper_trading: false },
    kite: { api_root: sim.url, ws_root: sim.wsUrl, login_url: sim.loginUrl, user_id: "AB1234" },
    server: { api_token: API_TOKEN },
    data: {
      database_path: join(tmp, "trading.db"),
      cache_dir: join(tmp, "cache"),
      access_token_file: join(tmp, "session", "access_token.json"),
      log_dir: join(tmp, "logs"),
      archive_dir: join(tmp, "archive"),
    },
  });
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.errors.join("\n"));
  const config = parsed.config;
  // Real time: the replay stays paused (nothing here trades), and so would a market clock.
  const clock = systemClock;
  // The trader's own session of the day, already held (a token the simulator accepts).
  const traderToken = (
    await loginAtSim(
      sim,
      new KiteRest({
        apiKey: sim.apiKey,
        apiRoot: sim.url,
        timeoutMs: 3000,
        limiter: new RateLimiter({ clock }),
      }),
    )
  ).accessToken;
  new SessionStore({ path: config.data.access_token_file, clock }).save({
    accessToken: traderToken,
    userId: "AB1234",
  });
  stack = await startServiceStack({
    config,
    configPath: null,
    mode: "live",
    banner: "SIM",
    version: "test",
    clock,
    portOverride: 0,
    console: { write: () => true },
  });

  const publicLogin = await fetch(`${stack.url}/login`, { redirect: "manual" });
  assert.equal(publicLogin.status, 403);
  assert.equal(publicLogin.headers.get("location"), null);

  // A state the service accepts (as a dashboard /login would have handed out), then Kite's redirect.
  const flow = new LoginFlow({
    apiKey: sim.apiKey,
    apiSecret: sim.apiSecret,
    loginUrl: sim.loginUrl,
    authTimeoutSeconds: 300,
    clock,
    states: new FilePendingStates(loginStatesPath(config.data.access_token_file), clock),
    kite: { generateSession: async () => assert.fail(), profile: async () => assert.fail() },
    store: { save: () => assert.fail() },
  });
  const page = await fetch(`${flow.start().url}&auto=1`, { redirect: "manual" });
  const redirect = new URL(page.headers.get("location") as string);
  const callback = await fetch(`${stack.url}/callback${redirect.search}`);
  assert.equal(callback.status, 400);
  assert.match(await callback.text(), /ZX9999 is not the one this system trades for/);

  const file = readSessionFile(config.data.access_token_file, clock.now());
  assert.equal(file.state === "valid" && file.session.accessToken, traderToken);
  const status = (await (
    await fetch(`${stack.url}/status`, { headers: { authorization: `Bearer ${API_TOKEN}` } })
  ).json()) as { reminders: string[] };
  assert.ok(
    status.reminders.some((r) => /^kite login: .*ZX9999 \(not kite\.user_id AB1234\) was refused/.test(r)),
    status.reminders.join("\n"),
  );
  assert.ok(stack.store.audit.recent(10).some((e) => e.action === "kite_session_refused"));
});
