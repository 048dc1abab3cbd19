/**
 * The demo as a newcomer meets it: `pivot start` in a folder without config.json runs the
 * simulator and the service in one process, prints the dashboard's URL and a password, answers
 * /health within 30 s, shows mode DEMO on /status to a dashboard session logged in with that
 * password, and stops cleanly on SIGTERM.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { freePort } from "../support/free-port.js";
import { CLI } from "../support/paths.js";

const cwd = mkdtempSync(join(tmpdir(), "pivot-demo-"));
after(() => rmSync(cwd, { recursive: true, force: true }));

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`)).status === 200;
  } catch {
    return false;
  }
}

async function until<T>(
  get: () => T | null | Promise<T | null>,
  what: string,
  ms: number,
  log: () => string,
): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await get();
    if (value !== null && value !== undefined) return value;
    assert.ok(performance.now() < deadline, `no ${what} within ${ms / 1000} s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("pivot start without config.json: the demo answers /health within 30 s, /status shows DEMO after a login with the printed password, SIGTERM stops it", async () => {
  const port = await freePort();
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  for (const k of [
    "KITE_API_KEY",
    "KITE_API_SECRET",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_CHAT_ID",
    "PIVOT_API_TOKEN",
  ])
    delete env[k];
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, "start", "--demo-port", String(port)], {
    cwd,
    env,
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
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const log = () => `stdout:\n${stdout}\nstderr:\n${stderr}`;
  try {
    const url = `http://127.0.0.1:${port}`;
    await until(async () => ((await healthy(url)) ? true : null), "/health", 30_000, log);
    assert.ok(performance.now() - t0 < 30_000);

    // What the console says: what this is, the URL, the password, how to stop.
    const password = await until(() => /Password:\s+(\S+)/.exec(stdout)?.[1] ?? null, "password", 5_000, log);
    assert.match(stdout, /DEMO/);
    assert.ok(stdout.includes(`Dashboard: ${url}`), log());
    assert.match(stdout, /Ctrl-C to stop/);
    assert.ok(password.length >= 12);
    assert.ok(existsSync(join(cwd, "data", "demo", "market")), "the sample market is kept under data/demo");
    assert.ok(
      existsSync(join(cwd, "data", "demo", "service", "run-1", "trading.db")),
      "the demo's own database",
    );
    assert.ok(stdout.includes(`database and logs in ${join("data", "demo", "service", "run-1")}`), log());

    // /status needs a session: a wrong password is refused, the printed one logs in.
    assert.equal((await fetch(`${url}/status`)).status, 401);
    const login = (pw: string) =>
      fetch(`${url}/auth/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ password: pw }).toString(),
      });
    assert.equal((await login(`${password}x`)).status, 401);
    const ok = await login(password);
    assert.equal(ok.status, 303, await ok.text());
    const cookie = ok.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const res = await fetch(`${url}/status`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const status = (await res.json()) as { mode: string };
    assert.equal(status.mode, "DEMO");

    const stopAt = performance.now();
    child.kill("SIGTERM");
    const end = await exit;
    assert.equal(end.code, 0, log());
    assert.ok(performance.now() - stopAt < 10_000, "stopped within 10 s");
    assert.match(stderr, /SIGTERM: stopping the demo/);
    assert.equal(await healthy(url), false, "nothing listens after the stop");
  } finally {
    child.kill("SIGKILL");
  }
});
