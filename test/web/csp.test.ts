import assert from "node:assert/strict";
import { test } from "node:test";
import { PAGE_STYLE } from "../../src/web/html.js";
import { styleHashSource } from "../../src/web/security-headers.js";
import { testApp } from "./web-fixture.js";

test("the CSP of every page → no 'unsafe-inline' at all (styles included)", async () => {
  const { app } = testApp();
  for (const url of ["/auth/login", "/health", "/", "/no-such-page"]) {
    const res = await app.inject({ method: "GET", url });
    const csp = String(res.headers["content-security-policy"]);
    assert.match(csp, /style-src 'self'/, url);
    assert.doesNotMatch(csp, /unsafe-inline/, `${url}: ${csp}`);
  }
});

test("the login page's inline style sheet → allowed by its hash in the CSP, the only one", async () => {
  const { app } = testApp();
  const res = await app.inject({ method: "GET", url: "/auth/login" });
  const sheets = [...res.body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
  assert.deepEqual(sheets, [PAGE_STYLE]);
  const styleSrc = /style-src ([^;]*)/.exec(String(res.headers["content-security-policy"]))?.[1];
  assert.equal(styleSrc, `'self' ${styleHashSource(PAGE_STYLE)}`);
  assert.doesNotMatch(res.body, /style="/, "no style attributes (the hash does not cover them)");
});
