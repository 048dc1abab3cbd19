import assert from "node:assert/strict";
import { test } from "node:test";
import type { FastifyRequest } from "fastify";
import { ManualClock } from "../../src/ports/clock.js";
import { clientOf, isLoopback } from "../../src/web/client-address.js";
import { escapeHtml, html } from "../../src/web/html.js";
import { RateLimiter } from "../../src/web/rate-limit.js";
import { SessionRegistry, sameSecret } from "../../src/web/sessions.js";
import { redactFields, redactingLogger, redactText } from "../../src/web/web-logger.js";
import { countingRandom } from "./web-fixture.js";

const req = (remoteAddress: string, headers: Record<string, string | string[]> = {}) =>
  ({ socket: { remoteAddress }, headers }) as unknown as FastifyRequest;

test("isLoopback → 127/8, ::1 and mapped forms only", () => {
  for (const a of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) assert.ok(isLoopback(a), a);
  for (const a of ["10.0.0.1", "::ffff:10.0.0.1", "1.127.0.0", "", undefined, "localhost"])
    assert.ok(!isLoopback(a), String(a));
});

test("clientOf from loopback → the last X-Forwarded-For entry and the forwarded scheme", () => {
  assert.deepEqual(
    clientOf(req("127.0.0.1", { "x-forwarded-for": "6.6.6.6, 198.51.100.2", "x-forwarded-proto": "https" })),
    {
      address: "198.51.100.2",
      https: true,
      proxied: true,
    },
  );
  assert.equal(clientOf(req("127.0.0.1", { "x-forwarded-for": ["1.1.1.1", "2.2.2.2"] })).address, "2.2.2.2");
  assert.equal(clientOf(req("127.0.0.1", { "x-forwarded-for": "not-an-ip" })).address, "127.0.0.1");
  assert.deepEqual(clientOf(req("127.0.0.1")), { address: "127.0.0.1", https: false, proxied: false });
});

test("clientOf from elsewhere → the peer, forwarded headers ignored", () => {
  assert.deepEqual(
    clientOf(req("203.0.113.4", { "x-forwarded-for": "127.0.0.1", "x-forwarded-proto": "https" })),
    {
      address: "203.0.113.4",
      https: false,
      proxied: false,
    },
  );
});

test("escapeHtml and html`` → markup characters escaped, SafeHtml kept", () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;");
  assert.equal(html`<p>${"<b>"}${html`<i>`}${3}</p>`.html, "<p>&#60;b&#62;<i>3</p>");
});

test("RateLimiter → limit hits a window per key, Retry-After to the window's end, a new window after", () => {
  const clock = new ManualClock(0);
  const l = new RateLimiter({ limit: 2, windowMs: 10_000, clock });
  assert.ok(l.hit("a").allowed);
  assert.ok(l.hit("a").allowed);
  clock.advance(2_500);
  assert.deepEqual(l.hit("a"), { allowed: false, count: 3, retryAfterS: 8 });
  assert.ok(l.hit("b").allowed);
  clock.advance(7_500);
  assert.ok(l.hit("a").allowed);
  l.hit("a");
  l.reset("a");
  assert.ok(l.hit("a").allowed);
});

test("RateLimiter with a flood of keys → at most maxKeys kept", () => {
  const l = new RateLimiter({ limit: 1, windowMs: 1000, clock: new ManualClock(0), maxKeys: 100 });
  for (let i = 0; i < 1000; i++) l.hit(`k${i}`);
  assert.equal((l as unknown as { windows: Map<string, unknown> }).windows.size, 100);
  assert.equal(l.hit("k999").allowed, false, "the newest are kept");
});

test("SessionRegistry → sessions until their expiry, destroyed on logout, the oldest dropped beyond the cap", () => {
  const clock = new ManualClock(1000);
  const s = new SessionRegistry({ clock, ttlMs: 5000, randomBytes: countingRandom(), maxSessions: 2 });
  const a = s.create();
  assert.equal(a.id.length, 43);
  assert.equal(s.get(a.id)?.csrfToken, a.session.csrfToken);
  assert.equal(s.get("nope"), null);
  assert.equal(s.get(undefined), null);
  clock.advance(4999);
  assert.ok(s.get(a.id));
  clock.advance(1);
  assert.equal(s.get(a.id), null);
  const b = s.create();
  s.destroy(b.id);
  assert.equal(s.get(b.id), null);
  const [c, d, e] = [s.create(), s.create(), s.create()];
  assert.equal(s.get(c.id), null, "dropped: over the cap");
  assert.ok(s.get(d.id) && s.get(e.id));
  assert.equal(s.size, 2);
});

test("sameSecret → equal strings only; never with an empty expected secret", () => {
  assert.ok(sameSecret("abc", "abc"));
  assert.ok(!sameSecret("abcd", "abc"));
  assert.ok(!sameSecret(undefined, "abc"));
  assert.ok(!sameSecret("", ""));
});

test("redactText → request tokens, bearer tokens, checksums, cookies and JSON secrets replaced", () => {
  const text = redactText(
    `GET /callback?request_token=abc123&state=x Authorization: Bearer tok.en-1 cookie pivot_session=sEsS; ` +
      `{"checksum":"zz","api_secret":"s3"} ${"a".repeat(64)} $scrypt$ln=15,r=8,p=1$c2FsdA==$a2V5`,
  );
  for (const secret of ["abc123", "tok.en-1", "sEsS", '"zz"', '"s3"', "a".repeat(64), "a2V5"]) {
    assert.ok(!text.includes(secret), `${secret} in ${text}`);
  }
  assert.match(text, /state=x/, "the rest stays readable");
});

test("redactFields → secret-named fields hidden whatever their value, nested objects too", () => {
  assert.deepEqual(
    redactFields({ authorization: "x", cookie: "y", client: "1.2.3.4", nested: { password: "p", n: 1 } }),
    {
      authorization: "[redacted]",
      cookie: "[redacted]",
      client: "1.2.3.4",
      nested: { password: "[redacted]", n: 1 },
    },
  );
});

test("redactingLogger over a function or a pino-like object → redacted, a throwing target ignored", () => {
  const got: string[] = [];
  redactingLogger((level, message, fields) => got.push(`${level} ${message} ${JSON.stringify(fields)}`)).warn(
    { token: "t" },
    "Bearer abc",
  );
  assert.deepEqual(got, ['warn Bearer [redacted] {"token":"[redacted]"}']);
  const pinoLike = {
    info: (f: object, m: string) => got.push(`pino ${m} ${JSON.stringify(f)}`),
    warn() {},
    error() {
      throw new Error("disk full");
    },
  };
  const log = redactingLogger(pinoLike);
  log.info({ a: 1 }, "hello");
  assert.doesNotThrow(() => log.error({}, "x"));
  assert.equal(got[1], 'pino hello {"a":1}');
});
