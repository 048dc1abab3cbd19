import { test } from "node:test";
import { LoginLinks, loginLinkUrl } from "../../src/adapters/kite/login-links.js";
import { ManualClock } from "../../src/ports/clock.js";
import { AttackTable } from "../support/attack-table.js";
import { T0, testApp } from "./web-fixture.js";

/*
 * The scripted attacks of issue 13 §1 on the Kite login routes, in the attack table: a stranger
 * trying to start a login (to replace the trader's session with their own account), forged,
 * altered, expired and replayed signed links. Each attempt's status goes into the table; the
 * test fails listing any that got through. (Another account's session reaching the callback is
 * refused before it is stored: test/integration/foreign-session-service.test.ts.)
 */

const KEY = Buffer.alloc(32, 7);
const pathOf = (token: string) => {
  const url = new URL(loginLinkUrl("https://trader.example/callback", token));
  return url.pathname + url.search;
};

test("session takeover attacks on /login → every one refused (attack table)", async (t) => {
  const clock = new ManualClock(T0);
  const links = new LoginLinks({ key: KEY, clock });
  const { app } = testApp({ deps: { loginLinks: links } });
  const stranger = { remoteAddress: "198.51.100.9" };
  const get = async (url: string, method: "GET" | "HEAD" = "GET") =>
    (await app.inject({ method, url, ...stranger })).statusCode;
  const attacks = new AttackTable("Kite session takeover (§1)");

  await attacks.try("§1 public /login", "GET /login without a session or link", 403, () => get("/login"));
  await attacks.try("§1 public /login", "GET /login?link= (empty)", 403, () => get("/login?link="));
  await attacks.try("§1 forged link", "a link made-up in the token's shape", 403, () =>
    get("/login?link=1.2.3"),
  );
  const other = new LoginLinks({ key: Buffer.alloc(32, 9), clock }).issue().token;
  await attacks.try("§1 forged link", "a link signed with another key", 403, () => get(pathOf(other)));
  const genuine = links.issue().token;
  const altered = `${genuine.slice(0, -2)}${genuine.endsWith("AA") ? "BB" : "AA"}`;
  await attacks.try("§1 altered link", "a genuine link with its signature changed", 403, () =>
    get(pathOf(altered)),
  );
  await attacks.try("§1 link checker", "HEAD of a genuine link (must not spend it)", [403, 404, 405], () =>
    get(pathOf(genuine), "HEAD"),
  );
  await attacks.try("§1 genuine link", "the trader's link, first use (control)", 302, () =>
    get(pathOf(genuine)),
  );
  await attacks.try("§1 replayed link", "the same link a second time", 403, () => get(pathOf(genuine)));
  const stale = links.issue().token;
  clock.advance(61 * 60_000);
  await attacks.try("§1 expired link", "a genuine link 61 minutes later", 403, () => get(pathOf(stale)));
  attacks.report(t);
});
