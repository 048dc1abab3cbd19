import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { CLI, REAL_CANDLES_DIR } from "../support/paths.js";
import { runCli } from "../support/run-cli.js";

const noStackTrace = (text: string) => assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/);

test("pivot sim --help → the flags, exit 0", () => {
  const r = runCli(["sim", "--help"]);
  assert.equal(r.status, 0, r.stderr);
  for (const flag of [
    "--port",
    "--data",
    "--date",
    "--speed",
    "--seed",
    "--api-key",
    "--api-secret",
    "--redirect-url",
    "--postback-url",
  ]) {
    assert.match(r.stdout, new RegExp(`${flag}\\b`));
  }
});

test("pivot sim with bad flags or unusable data → one-line messages, exit 1, no stack trace", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--speed", "0"], /--speed: expected a number above 0/],
    [["--port", "70000"], /--port: expected a whole number from 0 to 65535/],
    [["--date", "2025-13-01"], /--date: expected a date YYYY-MM-DD/],
    [["--postback-url", "ftp://x"], /--postback-url: expected an http\(s\) URL/],
    [["--start-time", "9am"], /--start-time: expected HH:MM/],
    [["--data", "/no/such/dir", "--port", "0"], /cannot read the data directory \/no\/such\/dir/],
    [["--data", REAL_CANDLES_DIR, "--date", "2025-09-03", "--port", "0"], /holds no candles for 2025-09-03/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(["sim", ...args]);
    assert.equal(r.status, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    noStackTrace(r.stderr);
  }
});

test("pivot sim --data … --speed 600 → prints the URLs and the config snippet, serves, and stops cleanly on SIGTERM", async () => {
  const child = spawn(
    process.execPath,
    [CLI, "sim", "--port", "0", "--data", REAL_CANDLES_DIR, "--date", "2025-09-05", "--speed", "600"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const until = Date.now() + 10_000;
    while (!/Ctrl-C/.test(stdout)) {
      if (Date.now() > until) assert.fail(`no start-up output: ${stdout} ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const rest = /REST\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] as string;
    assert.ok(rest, stdout);
    assert.match(stdout, /ticker\s+ws:\/\/127\.0\.0\.1:\d+\/ws/);
    assert.match(stdout, /"api_root": "http:\/\/127\.0\.0\.1:\d+"/);
    assert.match(stdout, /"login_url": "http:\/\/127\.0\.0\.1:\d+\/connect\/login"/);
    const state = (await (await fetch(`${rest}/__sim/state`)).json()) as {
      date: string;
      running: boolean;
      speed: number;
    };
    assert.equal(state.date, "2025-09-05");
    assert.equal(state.running, true);
    assert.equal(state.speed, 600);
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
    assert.match(stderr, /stopped/);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
