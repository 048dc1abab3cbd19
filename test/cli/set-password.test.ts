import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, test } from "node:test";
import { type PasswordInput, setPasswordCommand } from "../../src/cli/commands/set-password.js";
import { UserError } from "../../src/cli/user-error.js";
import { loadConfig } from "../../src/config/load.js";
import { hashPassword, verifyPassword } from "../../src/web/password-hash.js";
import { runCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "set-password-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const cheapHash = (pw: string) => hashPassword(pw, { ln: 4, r: 8, p: 1 });

/** A piped stdin holding `text`. */
function piped(text: string): PasswordInput {
  const s = new PassThrough();
  s.end(text);
  return s;
}

/** A fake terminal: raw mode switches recorded; `run` types the answers after each prompt. */
function terminal(): { input: PasswordInput; raw: boolean[] } {
  const s = new PassThrough() as PassThrough & PasswordInput;
  const raw: boolean[] = [];
  s.isTTY = true;
  s.setRawMode = (m: boolean) => raw.push(m);
  return { input: s, raw };
}

async function run(path: string, input: PasswordInput, typed: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  await setPasswordCommand(
    { config: path },
    {
      input,
      out: (t) => out.push(t),
      err: (t) => {
        err.push(t);
        const next = t.endsWith(": ") ? typed.shift() : undefined;
        if (next !== undefined) setImmediate(() => (input as PassThrough).write(next));
      },
      hash: cheapHash,
    },
  );
  return { out: out.join(""), err: err.join("") };
}

function file(text: string, mode = 0o640): string {
  const path = join(dir, `config-${++n}.json`);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

test("set-password from a pipe → the hash written into server, every other key and the indentation kept, owner-only", async () => {
  const path = file(
    '{\n    "api_key": "k",\n    "trading": { "lots": 2 },\n    "server": { "port": 8080 }\n}\n',
  );
  const { out } = await run(path, piped("a long enough password\nignored second line\n"));
  const text = readFileSync(path, "utf8");
  const json = JSON.parse(text);
  assert.equal(json.api_key, "k");
  assert.deepEqual(json.trading, { lots: 2 });
  assert.equal(json.server.port, 8080);
  assert.ok(await verifyPassword("a long enough password", json.server.password_hash));
  assert.match(text, /^\{\n {4}"api_key"/, "four-space indentation kept");
  assert.equal(statSync(path).mode & 0o777, 0o600, "group's read bit taken away: the file holds a hash now");
  assert.match(out, /server\.password_hash written/);
  assert.doesNotMatch(out, /scrypt|long enough/);
  const loaded = loadConfig({ path });
  assert.ok(loaded.ok && loaded.config.server.password_hash.startsWith("$scrypt$"));
});

test("set-password with no file yet → a new file holding only the hash, mode 0600", async () => {
  const path = join(dir, "new-config.json");
  await run(path, piped("another good password\r\n"));
  const json = JSON.parse(readFileSync(path, "utf8"));
  assert.deepEqual(Object.keys(json), ["server"]);
  assert.ok(await verifyPassword("another good password", json.server.password_hash));
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test("set-password on a terminal → asks twice in raw mode (no echo), backspace works", async () => {
  const path = file("{}");
  const t = terminal();
  const { err } = await run(path, t.input, ["secret pass wordX\u007f\r", "secret pass word\r"]);
  assert.match(err, /New dashboard password: /);
  assert.match(err, /The same again: /);
  assert.doesNotMatch(err, /secret/);
  assert.deepEqual(t.raw, [true, false, true, false]);
  assert.ok(
    await verifyPassword("secret pass word", JSON.parse(readFileSync(path, "utf8")).server.password_hash),
  );
});

test("set-password on a terminal with two different answers → an error, the file untouched", async () => {
  const path = file('{"api_key":"k"}');
  await assert.rejects(
    run(path, terminal().input, ["first password!\r", "second password\r"]),
    (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /differ; nothing was changed/);
      return true;
    },
  );
  assert.equal(readFileSync(path, "utf8"), '{"api_key":"k"}');
});

test("set-password with Ctrl-C on the terminal → cancelled", async () => {
  const path = file("{}");
  await assert.rejects(run(path, terminal().input, ["abc\u0003"]), /cancelled/);
  assert.equal(readFileSync(path, "utf8"), "{}");
});

test("set-password with a short or empty password → a clear error, the file untouched", async () => {
  const path = file("{}");
  await assert.rejects(run(path, piped("short\n")), /too short: use at least 10 characters/);
  await assert.rejects(run(path, piped("")), /no password given/);
  assert.equal(readFileSync(path, "utf8"), "{}");
});

test("set-password on a file that is not JSON, or whose server is not an object → an error before any prompt", async () => {
  const broken = file('{"api_key": ');
  await assert.rejects(run(broken, piped("a long enough password\n")), /not valid JSON; fix it first/);
  assert.equal(readFileSync(broken, "utf8"), '{"api_key": ');
  const odd = file('{"server": 3}');
  await assert.rejects(run(odd, piped("a long enough password\n")), /"server" is not an object/);
  const array = file("[1]");
  await assert.rejects(run(array, piped("a long enough password\n")), /expected a JSON object/);
});

test("set-password on a file with other problems → written, and the problems listed as a warning", async () => {
  const path = file('{"tradng": {}}');
  const { err } = await run(path, piped("a long enough password\n"));
  assert.match(err, /warning: .* other problems/);
  assert.match(err, /did you mean "trading"/);
  assert.ok(JSON.parse(readFileSync(path, "utf8")).server.password_hash);
});

test("pivot set-password (the built command) from a pipe → exit 0, the hash written", () => {
  const cwd = mkdtempSync(join(dir, "cli-"));
  const r = runCli(["set-password", "--help"], { cwd });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /server\.password_hash/);
});
