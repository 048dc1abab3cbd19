/**
 * `pivot login` on the server keeps working with kite.user_id set (issue 13 §1), and refuses a
 * login with another Kite account: the session held stays.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readSessionFile, SessionStore } from "../../src/adapters/kite/session-store.js";
import { systemClock } from "../../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { CLI, REAL_CANDLES_DIR } from "../support/paths.js";
import { waitFor } from "../support/wait.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-login-owner-cli-"));
let callbackPort: number;
let sim: RunningSimulator;

before(async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  callbackPort = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  sim = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    startPaused: true,
    redirectUrl: `http://127.0.0.1:${callbackPort}/callback`,
  });
});

after(async () => {
  await sim?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs `pivot login` with kite.user_id, completes the login at the simulator; the exit code and output. */
async function pivotLogin(userId: string, sessionFile: string) {
  const config = join(tmp, `config-${userId}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      api_key: sim.apiKey,
      api_secret: sim.apiSecret,
      auth: { callback_port: callbackPort, redirect_url: `http://127.0.0.1:${callbackPort}/callback` },
      kite: { api_root: sim.url, login_url: sim.loginUrl, ws_root: sim.wsUrl, user_id: userId },
      data: { access_token_file: sessionFile },
    }),
  );
  const child = spawn(process.execPath, [CLI, "login", "--config", config], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const url = /http:\/\/127\.0\.0\.1:\d+\/connect\/login\?\S+/;
    await waitFor(() => url.test(stdout) && /Waiting/.test(stderr), "the login URL");
    const page = await fetch(`${url.exec(stdout)?.[0]}&auto=1`);
    return { code: await exited, stdout, stderr, page: await page.text() };
  } finally {
    child.kill();
  }
}

test("pivot login with kite.user_id the simulator's user → logged in, session stored", async () => {
  const sessionFile = join(tmp, "own", "access_token.json");
  const r = await pivotLogin(sim.userId, sessionFile);
  assert.equal(r.code, 0, r.stderr);
  const file = readSessionFile(sessionFile, systemClock.now());
  assert.equal(file.state === "valid" && file.session.userId, sim.userId);
});

test("pivot login completed with another Kite account → refused, exit non-zero, the session held stays", async () => {
  const sessionFile = join(tmp, "foreign", "access_token.json");
  new SessionStore({ path: sessionFile, clock: systemClock }).save({
    accessToken: "held-token",
    userId: "AB1234",
  });
  const r = await pivotLogin("AB1234", sessionFile);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /not the one this system trades for/);
  assert.match(r.page, /Login failed/);
  const file = readSessionFile(sessionFile, systemClock.now());
  assert.equal(file.state === "valid" && file.session.accessToken, "held-token");
});
