import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { FilePendingStates, LoginFlow, loginStatesPath } from "../../src/adapters/kite/login-flow.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { readSessionFile, SessionStore } from "../../src/adapters/kite/session-store.js";
import { loginCommand } from "../../src/cli/commands/login.js";
import { UserError } from "../../src/cli/user-error.js";
import { systemClock } from "../../src/ports/clock.js";
import { FakeKite, freePort, mockJson } from "../adapters/kite/fake-kite.js";
import { CLI } from "../support/paths.js";
import { runCli } from "../support/run-cli.js";

const API_KEY = "kitekey1";
const API_SECRET = "s3cret-api-value";
const REQUEST_TOKEN = "rt-0a1b2c3d";
const ACCESS_TOKEN = "at-live-5e6f7a8b";
const ENV = { KITE_API_KEY: API_KEY, KITE_API_SECRET: API_SECRET };

let fake: FakeKite;
const tmp = mkdtempSync(join(tmpdir(), "pivot-login-cli-"));
before(async () => {
  fake = await FakeKite.start();
  // One user in both recorded payloads, and a token the test can look for.
  fake.route("POST /session/token", () => {
    const s = mockJson<{ data: Record<string, unknown> }>("generate_session.json");
    s.data.user_id = "AB1234";
    s.data.access_token = ACCESS_TOKEN;
    return { json: s };
  });
});
after(async () => {
  await fake.close();
  rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
async function setup() {
  const dir = join(tmp, `case-${++n}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const sessionFile = join(dir, "data", "access_token.json");
  const config = join(dir, "config.json");
  writeFileSync(
    config,
    JSON.stringify({
      auth: { callback_port: port, redirect_url: `http://127.0.0.1:${port}/callback` },
      kite: { api_root: fake.url, login_url: "https://kite.example/connect/login" },
      data: { access_token_file: sessionFile },
    }),
  );
  return { dir, port, sessionFile, config };
}

const callbackQuery = (state: string) =>
  new URLSearchParams({
    action: "login",
    type: "login",
    status: "success",
    request_token: REQUEST_TOKEN,
    state,
  });

function stateOf(text: string): string {
  const url = /https:\/\/kite\.example\/connect\/login\?\S+/.exec(text)?.[0];
  assert.ok(url, `a login URL in: ${text}`);
  const redirect = new URL(url).searchParams.get("redirect_params") ?? "";
  return new URLSearchParams(redirect).get("state") ?? "";
}

async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = performance.now() + ms;
  while (!check()) {
    if (performance.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("pivot login listening itself → prints the URL, a stray callback is refused, Kite's callback logs in", async () => {
  const { port, sessionFile, config } = await setup();
  const child = spawn(process.execPath, [CLI, "login", "--config", config], {
    env: { ...process.env, ...ENV },
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
    await waitFor(() => stdout.includes("redirect_params=") && stderr.includes("Waiting"), "the login URL");
    const state = stateOf(stdout);
    assert.match(stderr, new RegExp(`127\\.0\\.0\\.1:${port}/callback`));

    const stray = await fetch(`http://127.0.0.1:${port}/callback?${callbackQuery("forged-state")}`);
    assert.equal(stray.status, 400);
    assert.match(await stray.text(), /Login failed/);
    assert.equal(child.exitCode, null, "still waiting after a stray callback");

    const res = await fetch(`http://127.0.0.1:${port}/callback?${callbackQuery(state)}`);
    const page = await res.text();
    assert.equal(res.status, 200);
    assert.match(page, /Logged in/);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    assert.equal(await exited, 0, stderr);
    assert.match(
      stdout,
      /Logged in as AB1234 \(Kite Connect\)\. The session is valid until \d{4}-\d{2}-\d{2}T06:00:00\+05:30/,
    );
    for (const secret of [ACCESS_TOKEN, REQUEST_TOKEN, API_SECRET]) {
      assert.ok(
        !page.includes(secret) && !stdout.includes(secret) && !stderr.includes(secret),
        "no secret shown",
      );
    }
    const file = readSessionFile(sessionFile, systemClock.now());
    assert.equal(file.state === "valid" && file.session.accessToken, ACCESS_TOKEN);
    assert.equal(statSync(sessionFile).mode & 0o777, 0o600);
  } finally {
    child.kill();
  }
});

test("pivot login without KITE_API_KEY / KITE_API_SECRET → a clear error naming both, exit 1", async () => {
  const { config } = await setup();
  const r = runCli(["login", "--config", config]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /KITE_API_KEY and KITE_API_SECRET/);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
});

test("pivot login with no callback in time → a UserError about the timeout, the port released", async () => {
  const { port, config } = await setup();
  const out: string[] = [];
  await assert.rejects(
    loginCommand({ config }, { env: ENV, timeoutMs: 300, out: (t) => out.push(t), err: () => {} }),
    (e: unknown) => e instanceof UserError && /no login arrived within/.test(e.message),
  );
  assert.match(out.join(""), /redirect_params=state%3D/);
  // Nothing listens any more.
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen({ host: "127.0.0.1", port }, () => resolve());
  });
  await new Promise<void>((r) => probe.close(() => r()));
});

test("pivot login while the service holds the port → waits for the service to store the new session", async () => {
  const { port, sessionFile, config } = await setup();
  // The old session of the morning: a new login must replace it, not satisfy the wait.
  new SessionStore({ path: sessionFile, clock: systemClock }).save({
    accessToken: "old-token",
    userId: "AB1234",
  });
  // The running service: its own /callback, sharing the pending states through the file.
  const serviceFlow = new LoginFlow({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    loginUrl: "https://kite.example/connect/login",
    authTimeoutSeconds: 300,
    clock: systemClock,
    states: new FilePendingStates(loginStatesPath(sessionFile), systemClock),
    kite: new KiteRest({
      apiKey: API_KEY,
      apiRoot: fake.url,
      timeoutMs: 2000,
      limiter: new RateLimiter({ clock: systemClock }),
    }),
    store: new SessionStore({ path: sessionFile, clock: systemClock }),
  });
  const service: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    void serviceFlow.handleCallback(url.searchParams).then((o) => {
      res.writeHead(o.ok ? 200 : 400);
      res.end(o.ok ? "ok" : o.reason);
    });
  });
  await new Promise<void>((r) => service.listen({ host: "127.0.0.1", port }, () => r()));
  try {
    const out: string[] = [];
    const err: string[] = [];
    const login = loginCommand(
      { config },
      { env: ENV, pollMs: 30, timeoutMs: 10_000, out: (t) => out.push(t), err: (t) => err.push(t) },
    );
    await waitFor(() => out.join("").includes("redirect_params="), "the login URL");
    assert.match(err.join(""), /Port \d+ is in use/);
    const res = await fetch(`http://127.0.0.1:${port}/callback?${callbackQuery(stateOf(out.join("")))}`);
    assert.equal(await res.text(), "ok");
    await login;
    assert.match(out.join(""), /Logged in as AB1234/);
    const file = readSessionFile(sessionFile, systemClock.now());
    assert.equal(file.state === "valid" && file.session.accessToken, ACCESS_TOKEN);
    assert.ok(!readFileSync(loginStatesPath(sessionFile), "utf8").includes(stateOf(out.join(""))));
  } finally {
    await new Promise<void>((r) => service.close(() => r()));
  }
});
