import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { FailSafeDestination, type FileStream } from "../../src/ops/logging/fail-safe-destination.js";
import { isLoggerFile, pruneOldLogs } from "../../src/ops/logging/log-retention.js";
import { createServiceLogger, isoIstMillis } from "../../src/ops/logging/logger.js";
import { scrubLine } from "../../src/ops/logging/redaction.js";
import { ManualClock } from "../../src/ports/clock.js";
import { HandTimers } from "../support/hand-timers.js";

/** sonic-boom (pino's file stream, CommonJS): what pino-roll hands the logger. */
const SonicBoom = createRequire(import.meta.url)("sonic-boom") as new (o: {
  dest: string;
  sync: boolean;
}) => FileStream;

const tmp = mkdtempSync(join(tmpdir(), "pivot-logger-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const T0 = Date.parse("2025-09-05T03:45:03.120Z"); // 09:15:03.120 IST
const DAY = 24 * 60 * 60 * 1000;

/** A console that records what it is given. */
function fakeConsole(isTTY = false) {
  const lines: string[] = [];
  return { lines, stream: { isTTY, write: (t: string) => lines.push(t) } };
}

function logFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => isLoggerFile(n));
}

function readLogs(dir: string): string {
  return logFiles(dir)
    .map((n) => readFileSync(join(dir, n), "utf8"))
    .join("");
}

test("isoIstMillis → IST with milliseconds, whatever the host's zone", () => {
  assert.equal(isoIstMillis(T0), "2025-09-05T09:15:03.120+05:30");
});

test("the logger → JSON lines in logs/pivot.<date>.<n>.log with IST times, current.log beside them", async () => {
  const dir = join(tmp, "basic");
  const con = fakeConsole();
  const clock = new ManualClock(T0);
  const log = await createServiceLogger({
    dir,
    retentionDays: 30,
    clock,
    console: con.stream,
    setTimer: new HandTimers(clock).setTimer,
  });
  log.logger.info({ symbol: "SENSEX2591180500CE" }, "entry placed");
  log.logger.debug("not at info level");
  await log.close();
  const files = logFiles(dir);
  assert.equal(files.length, 1);
  assert.match(files[0] as string, /^pivot\.\d{4}-\d{2}-\d{2}\.1\.log$/);
  assert.ok(existsSync(join(dir, "current.log")));
  const lines = readLogs(dir)
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].time, "2025-09-05T09:15:03.120+05:30");
  assert.equal(lines[0].level, 30);
  assert.equal(lines[0].msg, "entry placed");
  assert.equal(lines[0].symbol, "SENSEX2591180500CE");
  assert.deepEqual(con.lines, []); // not a terminal: info stays out of the journal
});

test("the logger under systemd → warnings and errors also on stderr (the journal); level configurable", async () => {
  const dir = join(tmp, "levels");
  const con = fakeConsole();
  const clock = new ManualClock(T0);
  const log = await createServiceLogger({
    dir,
    retentionDays: 30,
    level: "debug",
    clock,
    console: con.stream,
    setTimer: new HandTimers(clock).setTimer,
  });
  log.logger.debug("detail");
  log.logger.warn("ticker silent for 10 s");
  await log.close();
  assert.equal(con.lines.length, 1, con.lines.join(""));
  assert.match(con.lines[0] as string, /"msg":"ticker silent for 10 s"/);
  assert.match(readLogs(dir), /"msg":"detail"/);
});

test("the logger on a terminal → human-readable lines on stderr, JSON in the file", async () => {
  const dir = join(tmp, "pretty");
  const con = fakeConsole(true);
  const clock = new ManualClock(T0);
  const log = await createServiceLogger({
    dir,
    retentionDays: 30,
    clock,
    console: con.stream,
    setTimer: new HandTimers(clock).setTimer,
  });
  log.logger.info("session valid until 06:00");
  await log.close();
  const shown = con.lines.join("");
  assert.match(shown, /session valid until 06:00/);
  assert.match(shown, /2025-09-05T09:15:03\.120\+05:30/);
  assert.doesNotMatch(shown, /^\{/);
  assert.match(readLogs(dir), /^\{.*"msg":"session valid until 06:00"/);
});

test("the logger for a person (the demo, a rehearsal) piped, not on a terminal → readable warnings, no JSON, no colour; info kept to the file", async () => {
  const dir = join(tmp, "readable");
  const con = fakeConsole(false);
  const clock = new ManualClock(T0);
  const log = await createServiceLogger({
    dir,
    retentionDays: 30,
    clock,
    console: con.stream,
    pretty: true,
    consoleLevel: "warn",
    setTimer: new HandTimers(clock).setTimer,
  });
  log.logger.info("pre-market done");
  log.logger.warn("the master lacks 81700CE of the ATM window");
  await log.close();
  const shown = con.lines.join("");
  assert.match(shown, /WARN.*the master lacks 81700CE of the ATM window/);
  assert.doesNotMatch(shown, /^\{|"level"/m);
  assert.ok(!shown.includes(`${String.fromCharCode(27)}[`), "no colour codes off a terminal");
  assert.doesNotMatch(shown, /pre-market done/);
  assert.match(readLogs(dir), /"msg":"pre-market done"/);
});

test("secrets never reach the file: by key (any depth), by known value, in URLs and headers", async () => {
  const dir = join(tmp, "secrets");
  const con = fakeConsole(true);
  const clock = new ManualClock(T0);
  const accessToken = "tok_5fG7hJ9kL1mN3pQ5rS7tU9v";
  const log = await createServiceLogger({
    dir,
    retentionDays: 30,
    clock,
    console: con.stream,
    setTimer: new HandTimers(clock).setTimer,
    secrets: () => ["sec_Zx9Yw8Vu7Ts6", accessToken, "123456:AAbbCCddEEffGG-telegram"],
  });
  const L = log.logger;
  L.info({ api_secret: "sec_Zx9Yw8Vu7Ts6", access_token: accessToken }, "top level");
  L.info(
    {
      req: {
        headers: {
          authorization: "token key:tok_5fG7hJ9kL1mN3pQ5rS7tU9v",
          cookie: "pivot_session=c00k1e-value-123",
        },
      },
    },
    "headers",
  );
  L.info(
    {
      config: {
        telegram_token: "123456:AAbbCCddEEffGG-telegram",
        server: { password_hash: "scrypt$abc$def" },
      },
    },
    "deep",
  );
  L.info(
    { body: { request_token: "rq_AbCdEf123456", checksum: "9f86d081884c7d659a2feaa0c55ad015" } },
    "callback",
  );
  L.info(`GET /callback?request_token=rq_AbCdEf123456&action=login&status=success`);
  L.error(new Error(`Kite said no for ${accessToken}`), "a message holding a token");
  L.warn("Authorization: token apikey:tok_other_9988776655");
  L.info({ password: "hunter2-long" }, "login attempt");
  await log.close();
  const file = readLogs(dir);
  const shown = con.lines.join("");
  for (const text of [file, shown]) {
    for (const secret of [
      "sec_Zx9Yw8Vu7Ts6",
      accessToken,
      "AAbbCCddEEffGG",
      "c00k1e-value-123",
      "scrypt$abc$def",
      "rq_AbCdEf123456",
      "9f86d081884c7d659a2feaa0c55ad015",
      "tok_other_9988776655",
      "hunter2-long",
    ]) {
      assert.ok(!text.includes(secret), `${secret} leaked:\n${text}`);
    }
  }
  assert.equal(file.trim().split("\n").length, 8); // every line still written
  assert.match(file, /\[redacted\]/);
  assert.match(file, /"action=login&status=success|action=login/);
});

test("scrubLine → leaves ordinary text alone", () => {
  assert.equal(scrubLine('{"msg":"entry filled at 245.5"}', ["short"]), '{"msg":"entry filled at 245.5"}');
});

test("pruneOldLogs → deletes the logger's files older than the retention, keeps the rest", async () => {
  const dir = join(tmp, "prune");
  mkdirSync(dir);
  const now = T0;
  const files: Record<string, number> = {
    "pivot.2025-08-01.1.log": now - 35 * DAY,
    "pivot.2025-08-01.2.log.1.gz": now - 31 * DAY,
    "pivot.2025-08-10.1.log": now - 26 * DAY,
    "pivot.2025-09-05.1.log": now,
    "notes.log": now - 100 * DAY, // not the logger's
  };
  for (const [name, mtime] of Object.entries(files)) {
    writeFileSync(join(dir, name), "x\n");
    utimesSync(join(dir, name), mtime / 1000, mtime / 1000);
  }
  const deleted = await pruneOldLogs(dir, 30, new ManualClock(now));
  assert.deepEqual(deleted, ["pivot.2025-08-01.1.log", "pivot.2025-08-01.2.log.1.gz"]);
  assert.deepEqual(readdirSync(dir).sort(), [
    "notes.log",
    "pivot.2025-08-10.1.log",
    "pivot.2025-09-05.1.log",
  ]);
});

test("the logger prunes at start and then daily on its timer", async () => {
  const dir = join(tmp, "daily-prune");
  mkdirSync(dir);
  const clock = new ManualClock(T0);
  const timers = new HandTimers(clock);
  const old = join(dir, "pivot.2025-08-01.1.log");
  writeFileSync(old, "{}\n");
  utimesSync(old, (T0 - 40 * DAY) / 1000, (T0 - 40 * DAY) / 1000);
  const soon = join(dir, "pivot.2025-08-07.1.log");
  writeFileSync(soon, "{}\n");
  utimesSync(soon, (T0 - 29.5 * DAY) / 1000, (T0 - 29.5 * DAY) / 1000);
  const log = await createServiceLogger({
    dir,
    retentionDays: 30,
    clock,
    console: fakeConsole().stream,
    setTimer: timers.setTimer,
  });
  assert.equal(existsSync(old), false);
  assert.equal(existsSync(soon), true);
  clock.advance(DAY);
  timers.fireDue();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(existsSync(soon), false);
  await log.close();
});

test("the log file on a full disk → a one-time warning, lines go to stderr, the service carries on", async (t) => {
  if (!existsSync("/dev/full")) return t.skip("no /dev/full here");
  const con = fakeConsole();
  const failures: string[] = [];
  const dest = new FailSafeDestination({
    describe: "/dev/full",
    fallback: (l) => con.stream.write(l),
    onFailure: (m) => failures.push(m),
  });
  dest.attach(new SonicBoom({ dest: "/dev/full", sync: false }));
  for (let i = 0; i < 5; i++) {
    dest.write(`{"msg":"line ${i}"}\n`);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(failures.length, 1);
  assert.match(failures[0] as string, /ENOSPC.*trading continues/);
  assert.equal(dest.degraded, true);
  assert.ok(
    con.lines.some((l) => l.includes("line 4")),
    con.lines.join(""),
  );
});

test("an unwritable log folder → the logger still works, on stderr, after one warning", async () => {
  const blocker = join(tmp, "not-a-folder");
  writeFileSync(blocker, "a file where the folder should be");
  const con = fakeConsole();
  const failures: string[] = [];
  const clock = new ManualClock(T0);
  const log = await createServiceLogger({
    dir: join(blocker, "logs"),
    retentionDays: 30,
    clock,
    console: con.stream,
    setTimer: new HandTimers(clock).setTimer,
    onFileFailure: (m) => failures.push(m),
  });
  log.logger.info("order placed");
  log.logger.info("order filled");
  await new Promise((r) => setTimeout(r, 50));
  await log.close();
  assert.equal(failures.length, 1);
  assert.equal(log.degraded, true);
  const out = con.lines.join("");
  assert.match(out, /cannot write the log file/);
  assert.match(out, /order placed/);
  assert.match(out, /order filled/);
});
