import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultConfig, parseConfig } from "../../src/config/load.js";
import { serverPort } from "../../src/config/schema.js";

const HASH = "$scrypt$ln=4,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=";

test("server defaults → 127.0.0.1, the callback port, no token, no password, 12 h sessions", () => {
  const c = defaultConfig();
  assert.deepEqual(c.server, {
    host: "127.0.0.1",
    port: null,
    api_token: "",
    password_hash: "",
    session_hours: 12,
    tls_cert_file: "",
  });
  assert.equal(serverPort(c), 8001);
});

test("serverPort → server.port when set, else auth.callback_port", () => {
  const a = parseConfig({ auth: { callback_port: 9001 } });
  const b = parseConfig({ auth: { callback_port: 9001 }, server: { port: 8443 } });
  assert.ok(a.ok && b.ok);
  assert.equal(serverPort(a.config), 9001);
  assert.equal(serverPort(b.config), 8443);
});

test("server.api_token from PIVOT_API_TOKEN → overrides the file, with or without a server section", () => {
  const token = "env-token-0123456789abcdefghij";
  const a = parseConfig(
    { server: { api_token: "file-token-0123456789abcdefgh", port: 8002 } },
    { PIVOT_API_TOKEN: token },
  );
  const b = parseConfig({}, { PIVOT_API_TOKEN: token });
  assert.ok(a.ok && b.ok);
  assert.equal(a.config.server.api_token, token);
  assert.equal(a.config.server.port, 8002, "the rest of the section kept");
  assert.equal(b.config.server.api_token, token);
});

test("a short api_token → an error that does not echo it", () => {
  const r = parseConfig({ server: { api_token: "shortSecret1" } });
  assert.ok(!r.ok);
  const text = r.errors.join("\n");
  assert.match(text, /server\.api_token: expected a token of at least 24 characters/);
  assert.doesNotMatch(text, /shortSecret1/);
});

test("a password_hash not written by set-password → an error that does not echo it", () => {
  const r = parseConfig({ server: { password_hash: "plaintextPassw0rd" } });
  assert.ok(!r.ok);
  assert.match(r.errors.join("\n"), /server\.password_hash: expected a hash written by pivot set-password/);
  assert.doesNotMatch(r.errors.join("\n"), /plaintextPassw0rd/);
  const ok = parseConfig({ server: { password_hash: HASH } });
  assert.ok(ok.ok, ok.ok ? "" : ok.errors.join("\n"));
});

test("server keys misspelt → did you mean", () => {
  const r = parseConfig({ server: { session_hour: 3, hots: "0.0.0.0" } });
  assert.ok(!r.ok);
  assert.ok(
    r.errors.some((e) => e === 'server.session_hour: unknown key; did you mean "session_hours"?'),
    r.errors.join("\n"),
  );
  assert.ok(
    r.errors.some((e) => e === 'server.hots: unknown key; did you mean "host"?'),
    r.errors.join("\n"),
  );
});

test("bad server values → each reported", () => {
  const r = parseConfig({ server: { port: 70000, session_hours: 0, host: "" } });
  assert.ok(!r.ok);
  const text = r.errors.join("\n");
  assert.match(text, /server\.port: expected a number <= 65535/);
  assert.match(text, /server\.session_hours: expected a number > 0/);
  assert.match(text, /server\.host: expected a string with length >= 1/);
});
