import assert from "node:assert/strict";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeFileAtomic } from "../../../src/adapters/kite/atomic-file.js";
import {
  nextSessionEnd,
  readSessionFile,
  SessionStore,
  writeSessionFile,
} from "../../../src/adapters/kite/session-store.js";
import { istEpochMs } from "../../../src/domain/ist.js";
import { ManualClock } from "../../../src/ports/clock.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-session-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(tmp, `case-${++n}`, "data", "access_token.json");
const at = (date: string, hh: number, mm = 0) => new ManualClock(istEpochMs(date, hh * 60 + mm));

test("SessionStore.save → file with the session fields, mode 0600, folder created", () => {
  const path = fresh();
  const store = new SessionStore({ path, clock: at("2025-09-04", 8, 55) });
  const started: string[] = [];
  store.on("session_started", (e) => started.push(`${e.userId} until ${e.expiresAt}`));
  store.save({ accessToken: "tok-abc", userId: "AB1234", userName: "A B" });
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), {
    access_token: "tok-abc",
    user_id: "AB1234",
    user_name: "A B",
    login_time: "2025-09-04T08:55:00+05:30",
    expires_at: "2025-09-05T06:00:00+05:30",
  });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(started, ["AB1234 until 2025-09-05T06:00:00+05:30"]);
});

test("nextSessionEnd → the next 06:00 IST after the login", () => {
  assert.equal(nextSessionEnd(istEpochMs("2025-09-04", 5 * 60)), istEpochMs("2025-09-04", 360));
  assert.equal(nextSessionEnd(istEpochMs("2025-09-04", 360)), istEpochMs("2025-09-05", 360));
  assert.equal(nextSessionEnd(istEpochMs("2025-09-04", 23 * 60)), istEpochMs("2025-09-05", 360));
});

test("writeFileAtomic over an existing file → new content, no temp file left", () => {
  const path = fresh();
  writeFileAtomic(path, "old");
  writeFileAtomic(path, "new");
  assert.equal(readFileSync(path, "utf8"), "new");
  assert.deepEqual(readdirSync(join(path, "..")), ["access_token.json"]);
});

test("writeFileAtomic that cannot rename → throws, the old target kept, no temp file left", () => {
  const dir = join(tmp, `case-${++n}`);
  const target = join(dir, "blocked");
  mkdirSync(join(target, "inside"), { recursive: true }); // a non-empty folder cannot be renamed over
  assert.throws(() => writeFileAtomic(target, "x"));
  assert.deepEqual(readdirSync(dir), ["blocked"]);
});

test("SessionStore.load of a missing file → no session, no warning", () => {
  const warnings: string[] = [];
  const store = new SessionStore({
    path: fresh(),
    clock: at("2025-09-04", 9),
    warn: (m) => warnings.push(m),
  });
  assert.equal(store.load(), null);
  assert.deepEqual(warnings, []);
});

test("SessionStore.load of a corrupt file → no session and a warning that shows no content", () => {
  for (const content of ['{"access_token": "secret-tok', '{"access_token":"secret-tok"}', "[]", ""]) {
    const path = fresh();
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, content, { mode: 0o600 });
    const warnings: string[] = [];
    const store = new SessionStore({ path, clock: at("2025-09-04", 9), warn: (m) => warnings.push(m) });
    assert.equal(store.load(), null, content);
    assert.equal(warnings.length, 1, content);
    assert.ok(warnings[0]?.includes(path));
    assert.ok(!warnings[0]?.includes("secret-tok"));
  }
});

test("SessionStore.load of an expired file → no session", () => {
  const path = fresh();
  new SessionStore({ path, clock: at("2025-09-04", 9) }).save({ accessToken: "t", userId: "AB1234" });
  const nextMorning = new SessionStore({ path, clock: at("2025-09-05", 6, 1) });
  assert.equal(nextMorning.load(), null);
  assert.equal(readSessionFile(path, istEpochMs("2025-09-05", 361)).state, "expired");
  const sameDay = new SessionStore({ path, clock: at("2025-09-04", 15) });
  assert.equal(sameDay.load()?.userId, "AB1234");
});

test("SessionStore.current past 06:00 IST → null, session_expired announced once", () => {
  const clock = at("2025-09-04", 9);
  const store = new SessionStore({ path: fresh(), clock });
  store.save({ accessToken: "t", userId: "AB1234" });
  const events: string[] = [];
  store.on("session_expired", (e) => events.push(e.reason));
  clock.set(istEpochMs("2025-09-05", 6 * 60));
  assert.equal(store.current(), null);
  assert.equal(store.current(), null);
  assert.deepEqual(events, ["time"]);
});

test("SessionStore.markExpired twice with the same token → one session_expired event", () => {
  const store = new SessionStore({ path: fresh(), clock: at("2025-09-04", 9) });
  store.save({ accessToken: "t1", userId: "AB1234" });
  let events = 0;
  store.on("session_expired", () => events++);
  assert.equal(store.markExpired("t1"), true);
  assert.equal(store.markExpired("t1"), false);
  assert.equal(events, 1);
});

test("SessionStore.load of a file readable by others → the session, and a warning to chmod", () => {
  const path = fresh();
  writeSessionFile(path, {
    accessToken: "t",
    userId: "AB1234",
    userName: null,
    loginTime: "2025-09-04T09:00:00+05:30",
    expiresAt: "2025-09-05T06:00:00+05:30",
    expiresAtMs: istEpochMs("2025-09-05", 360),
  });
  chmodSync(path, 0o644);
  const warnings: string[] = [];
  const store = new SessionStore({ path, clock: at("2025-09-04", 9), warn: (m) => warnings.push(m) });
  assert.equal(store.load()?.userId, "AB1234");
  assert.match(warnings.join("\n"), /chmod 600/);
});

test("SessionStore.load of a new session written by another process → adopted, session_started", () => {
  const path = fresh();
  const clock = at("2025-09-04", 9);
  const service = new SessionStore({ path, clock });
  service.save({ accessToken: "first", userId: "AB1234" });
  const started: string[] = [];
  service.on("session_started", (e) => started.push(e.userId));
  new SessionStore({ path, clock }).save({ accessToken: "second", userId: "AB1234" }); // `pivot login`
  assert.equal(service.load()?.accessToken, "second");
  assert.equal(service.load()?.accessToken, "second");
  assert.deepEqual(started, ["AB1234"]);
});
