import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { connect as tlsConnect } from "node:tls";
import Fastify, { type FastifyInstance } from "fastify";
import {
  HEADERS_SET_BY_NGINX,
  isDomainName,
  NO_QUERY_LOG_FORMAT,
  renderNginxSite,
} from "../../src/ops/deploy/nginx-site.js";
import { securityHeaders } from "../../src/web/security-headers.js";
import { AttackTable } from "../support/attack-table.js";
import { freePort } from "../support/free-port.js";
import { waitFor } from "../support/wait.js";
import { makeSelfSignedCert } from "./self-signed.js";

const DOMAIN = "pivot.test.example";
const hasNginx = spawnSync("nginx", ["-v"]).error === undefined;
// .ci/run installs nginx and sets PIVOT_REQUIRE_DEPLOY_TOOLS: there, a missing nginx fails the tests.
const skipNginx =
  hasNginx || process.env.PIVOT_REQUIRE_DEPLOY_TOOLS === "1"
    ? false
    : "nginx is not installed (CI installs it: .ci/run)";

test("renderNginxSite → HTTP redirect except ACME, TLS 1.2/1.3, HSTS, proxy headers, limits", () => {
  const site = renderNginxSite({ domain: DOMAIN, upstream: "127.0.0.1:8001" });
  assert.match(site, /listen 80;/);
  assert.match(site, /listen \[::\]:443 ssl http2;/);
  assert.match(site, /location \^~ \/\.well-known\/acme-challenge\/ \{/);
  assert.match(site, /return 301 https:\/\/pivot\.test\.example\$request_uri;/);
  assert.doesNotMatch(site, /https:\/\/\$host/);
  assert.match(site, /listen 80 default_server;\n\s+listen \[::\]:80 default_server;\n\s+server_name _;/);
  assert.match(site, /return 444;/);
  assert.match(site, /listen 443 ssl http2 default_server;[^}]*ssl_reject_handshake on;/);
  assert.match(site, /location ~ \^\/callback\/\?\$ \{\n\s+access_log \S+ pivot_no_query;/);
  assert.match(site, /ssl_protocols TLSv1\.2 TLSv1\.3;/);
  assert.doesNotMatch(site, /TLSv1(\.1)?[ ;]/);
  assert.match(site, /ssl_certificate \/etc\/letsencrypt\/live\/pivot\.test\.example\/fullchain\.pem;/);
  assert.match(site, /Strict-Transport-Security "max-age=63072000/);
  assert.match(site, /proxy_set_header X-Forwarded-For \$remote_addr;/);
  assert.match(site, /proxy_set_header X-Forwarded-Proto \$scheme;/);
  assert.match(site, /proxy_set_header X-Forwarded-Host \$host;/);
  assert.match(site, /location = \/health \{\n\s+access_log off;/);
  assert.match(
    site,
    /location = \/postback \{\n\s+access_log \/var\/log\/nginx\/pivot\/postback_access\.log;/,
  );
  assert.match(site, /zone=pivot_login:10m rate=10r\/m/);
  assert.match(site, /limit_req_status 429;/);
  assert.match(site, /client_max_body_size 64k;/);
  assert.match(site, /server 127\.0\.0\.1:8001;/);
});

test("renderNginxSite --http-only → only the port-80 servers (first certificate), no TLS", () => {
  const site = renderNginxSite({ domain: DOMAIN, upstream: "127.0.0.1:8001", httpOnly: true });
  assert.match(site, /acme-challenge/);
  assert.match(site, /return 444;/);
  assert.doesNotMatch(site, /ssl_certificate|listen 443/);
});

test("renderNginxSite → every header nginx adds is hidden from the application's answers", () => {
  const site = renderNginxSite({ domain: DOMAIN, upstream: "127.0.0.1:8001" });
  for (const name of Object.keys(HEADERS_SET_BY_NGINX)) {
    assert.match(site, new RegExp(`add_header ${name} `), name);
    assert.match(site, new RegExp(`proxy_hide_header ${name};`), name);
  }
  // What the application sets that nginx sets too is exactly that list (no duplicate forgotten).
  const byNginx = new Set([...site.matchAll(/add_header (\S+) /g)].map((m) => m[1]?.toLowerCase()));
  const both = Object.keys(securityHeaders(true)).filter((h) => byNginx.has(h));
  assert.deepEqual(
    both.sort(),
    Object.keys(HEADERS_SET_BY_NGINX)
      .map((h) => h.toLowerCase())
      .sort(),
  );
});

test("renderNginxSite with a bad domain or upstream → RangeError naming it", () => {
  assert.throws(
    () => renderNginxSite({ domain: "evil; include /etc", upstream: "127.0.0.1:8001" }),
    /domain/,
  );
  assert.throws(() => renderNginxSite({ domain: DOMAIN, upstream: "127.0.0.1" }), /host:port/);
  assert.equal(isDomainName("sensexbot.ddns.net"), true);
  assert.equal(isDomainName("localhost"), false);
});

describe("the rendered site in Debian's nginx", { skip: skipNginx }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "pivot-nginx-"));
  const logs = join(tmp, "logs");
  const acme = join(tmp, "acme");
  let nginx: ChildProcess | null = null;
  let app: FastifyInstance;
  let httpPort = 0;
  let httpsPort = 0;
  let cert = "";
  const postbacks: Array<Record<string, string | string[] | undefined>> = [];

  /** A minimal nginx.conf around the site: own prefix, pid and temp folders. */
  const writeMainConf = (site: string, name: string) => {
    const siteFile = join(tmp, `${name}.site.conf`);
    writeFileSync(siteFile, site);
    const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
      .map((k) => `    ${k}_temp_path ${join(tmp, `${k}_temp`)};`)
      .join("\n");
    const conf = join(tmp, `${name}.nginx.conf`);
    writeFileSync(
      conf,
      `worker_processes 1;
pid ${join(tmp, `${name}.pid`)};
error_log ${join(tmp, `${name}.error.log`)};
events { worker_connections 64; }
http {
    access_log ${join(tmp, `${name}.access.log`)};
${temp}
    include ${siteFile};
}
`,
    );
    return conf;
  };

  before(async () => {
    // nginx's workers run as an unprivileged user (as root starts them): they serve the challenge files.
    chmodSync(tmp, 0o755);
    mkdirSync(logs);
    mkdirSync(join(acme, ".well-known", "acme-challenge"), { recursive: true });
    writeFileSync(join(acme, ".well-known", "acme-challenge", "tok123"), "tok123.keyauth");
    cert = makeSelfSignedCert(tmp, DOMAIN).pem;

    // The stand-in for the service: /health, /postback (recording the proxy's headers), the rest.
    app = Fastify();
    // As the service does: its own security headers on every answer (nginx sets some too).
    app.addHook("onSend", async (_req, reply, payload) => {
      reply.headers(securityHeaders(true));
      return payload;
    });
    app.get("/health", async () => ({ ok: true }));
    app.get("/callback", async () => "logged in");
    app.post("/postback", async (req) => {
      postbacks.push({ ...req.headers, body: JSON.stringify(req.body) });
      return { status: "ok" };
    });
    app.get("/login", async () => "login page");
    app.get("/", async () => "dashboard");
    await app.listen({ port: 0, host: "127.0.0.1" });
    const appPort = (app.server.address() as { port: number }).port;

    httpPort = await freePort();
    httpsPort = await freePort();
    const conf = writeMainConf(
      renderNginxSite({
        domain: DOMAIN,
        upstream: `127.0.0.1:${appPort}`,
        certDir: tmp,
        acmeRoot: acme,
        logDir: logs,
        httpPort,
        httpsPort,
        ipv6: false,
      }),
      "run",
    );
    const t = spawnSync("nginx", ["-t", "-p", tmp, "-c", conf], { encoding: "utf8" });
    assert.equal(t.status, 0, t.stderr);
    nginx = spawn("nginx", ["-p", tmp, "-c", conf, "-g", "daemon off;"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    nginx.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    await waitForPort(httpsPort, () => stderr);
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx?.once("exit", r));
      nginx.kill("SIGTERM");
      await exited;
    }
    await app?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test("the production shape (ports 80/443, IPv6, Let's Encrypt names) passes nginx -t", () => {
    const conf = writeMainConf(
      renderNginxSite({ domain: DOMAIN, upstream: "127.0.0.1:8001", certDir: tmp, logDir: logs }),
      "prod",
    );
    const t = spawnSync("nginx", ["-t", "-p", tmp, "-c", conf], { encoding: "utf8" });
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stderr, /syntax is ok/);
  });

  test("the --http-only shape (its default server too) passes nginx -t", () => {
    const conf = writeMainConf(
      renderNginxSite({
        domain: DOMAIN,
        upstream: "127.0.0.1:8001",
        logDir: logs,
        acmeRoot: acme,
        httpOnly: true,
      }),
      "bootstrap",
    );
    const t = spawnSync("nginx", ["-t", "-p", tmp, "-c", conf], { encoding: "utf8" });
    assert.equal(t.status, 0, t.stderr);
  });

  test("a broken site fails nginx -t (the test can fail)", () => {
    const site = renderNginxSite({ domain: DOMAIN, upstream: "127.0.0.1:8001", certDir: tmp, logDir: logs });
    const conf = writeMainConf(site.replace("ssl_protocols", "ssl_protocolz"), "broken");
    const t = spawnSync("nginx", ["-t", "-p", tmp, "-c", conf], { encoding: "utf8" });
    assert.notEqual(t.status, 0);
  });

  test("HTTPS /health → 200 from the app, with HSTS and the security headers, unlogged", async () => {
    const r = await get("https", httpsPort, "/health");
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { ok: true });
    assert.match(String(r.headers["strict-transport-security"]), /max-age=63072000/);
    assert.equal(r.headers["x-content-type-options"], "nosniff");
    assert.equal(r.headers["x-frame-options"], "DENY");
    assert.equal(r.headers.server, "nginx"); // server_tokens off: no version
    const login = await get("https", httpsPort, "/login");
    assert.equal(login.status, 200);
    // nginx writes the log line after the answer: wait for the later request's line.
    await waitFor(() => /GET \/login/.test(readLog("access.log")), "the /login line in access.log");
    assert.doesNotMatch(readLog("access.log"), /\/health/);
  });

  test("HTTPS offers HTTP/2 by ALPN", async () => {
    const alpn = await new Promise<string | false>((resolve, reject) => {
      const s = tlsConnect(
        {
          host: "127.0.0.1",
          port: httpsPort,
          servername: DOMAIN,
          ca: cert,
          ALPNProtocols: ["h2", "http/1.1"],
        },
        () => {
          resolve(s.alpnProtocol ?? false);
          s.end();
        },
      );
      s.on("error", reject);
    });
    assert.equal(alpn, "h2");
  });

  test("HTTP → 301 to HTTPS, except the ACME challenge (certbot renewals)", async () => {
    const r = await get("http", httpPort, "/status?x=1");
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, `https://${DOMAIN}:${httpsPort}/status?x=1`);
    const challenge = await get("http", httpPort, "/.well-known/acme-challenge/tok123");
    assert.equal(challenge.status, 200);
    assert.equal(challenge.body, "tok123.keyauth");
  });

  test("HTTP with another Host → no answer (444), not a redirect to the name the client chose", async () => {
    await assert.rejects(
      send("http", httpPort, "GET", "/login", undefined, { host: "evil.example" }),
      /socket hang up|ECONNRESET/,
    );
    // Absolute-form request line naming another host: also refused, not redirected there.
    const raw = await rawHttp(httpPort, `GET http://evil.example/x HTTP/1.1\r\nHost: ${DOMAIN}\r\n\r\n`);
    assert.doesNotMatch(raw, /evil\.example/);
  });

  test("HTTPS for another name (SNI) → handshake refused, no certificate shown", async () => {
    await assert.rejects(
      new Promise((resolve, reject) => {
        const s = tlsConnect(
          { host: "127.0.0.1", port: httpsPort, servername: "evil.example", ca: cert },
          () => {
            s.end();
            resolve(s.getPeerCertificate());
          },
        );
        s.on("error", reject);
      }),
      /alert|unrecognized name|ECONNRESET|socket/i,
    );
  });

  test("headers both the app and nginx set → each reaches the browser once", async () => {
    for (const path of ["/health", "/"]) {
      const r = await get("https", httpsPort, path);
      assert.equal(r.status, 200, path);
      const counts = new Map<string, number>();
      for (let i = 0; i < r.rawHeaders.length; i += 2) {
        const name = (r.rawHeaders[i] ?? "").toLowerCase();
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      const twice = [...counts].filter(([, n]) => n > 1).map(([name]) => name);
      assert.deepEqual(twice, [], `${path}: sent more than once: ${twice.join(", ")}`);
      for (const name of Object.keys(securityHeaders(true))) assert.ok(counts.has(name), `${path}: ${name}`);
    }
  });

  test("a postback through the proxy arrives with X-Forwarded-For/Proto/Host, in its own log", async () => {
    const body = JSON.stringify({ order_id: "250905000000001", status: "COMPLETE" });
    const r = await send("https", httpsPort, "POST", "/postback", body, {
      "content-type": "application/json",
      "x-forwarded-for": "6.6.6.6", // a client's claim, replaced by what nginx saw
    });
    assert.equal(r.status, 200);
    const seen = postbacks.at(-1);
    assert.ok(seen);
    assert.equal(seen["x-forwarded-for"], "127.0.0.1");
    assert.equal(seen["x-real-ip"], "127.0.0.1");
    assert.equal(seen["x-forwarded-proto"], "https");
    assert.equal(seen["x-forwarded-host"], DOMAIN);
    assert.equal(seen.host, DOMAIN);
    assert.equal(seen.body, body);
    await waitFor(() => /POST \/postback/.test(readLog("postback_access.log")), "the postback log line");
    assert.doesNotMatch(readLog("access.log"), /\/postback/);
  });

  test("a body over client_max_body_size → 413, never reaching the app", async () => {
    const before = postbacks.length;
    const r = await send("https", httpsPort, "POST", "/postback", "x".repeat(100_000), {
      "content-type": "application/json",
    });
    assert.equal(r.status, 413);
    assert.equal(postbacks.length, before);
  });

  test("the login rate limit answers 429 past its burst", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await get("https", httpsPort, "/login")).status);
    assert.equal(statuses[0], 200);
    assert.ok(statuses.includes(429), `statuses: ${statuses.join(",")}`);
    // 10 a minute with a burst of 5: at most 6 pass at once (one was used by an earlier test).
    assert.ok(statuses.filter((s) => s === 200).length <= 6, statuses.join(","));
  });

  test("/callback → logged without its query string (request token, state), even past its limit", async () => {
    const query = "?request_token=tok_SECRET_abc123&action=login&type=login&status=success&state=st_SECRET_9";
    // Past the login zone's burst (the test above used it up): nginx's error lines would quote
    // the request line, query included.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await get("https", httpsPort, `/callback${query}`)).status);
    assert.ok(statuses.includes(429), statuses.join(","));
    await waitFor(() => (readLog("access.log").match(/GET \/callback[ ?]/g) ?? []).length >= 8, "every line");
    const logs = readLog("access.log") + readLog("error.log");
    assert.doesNotMatch(logs, /SECRET|request_token|state=/);
    assert.match(readLog("access.log"), / 429 /);
    // The format is the site's own (not "combined" with $request).
    assert.match(
      readFileSync(join(tmp, "run.site.conf"), "utf8"),
      new RegExp(`log_format ${NO_QUERY_LOG_FORMAT} `),
    );
  });

  test("attack table: the rendered site's attacks (§5) → every attack refused", async (t) => {
    const attacks = new AttackTable("issue 13 §5 attacks on the rendered nginx site");
    const noAnswer = "no answer (444)";
    await attacks.try("§5 host", "HTTP with Host: evil.example", noAnswer, async () => {
      try {
        return (await send("http", httpPort, "GET", "/", undefined, { host: "evil.example" })).status;
      } catch {
        return noAnswer;
      }
    });
    await attacks.try(
      "§5 host",
      "HTTP GET http://evil.example/ (absolute URI)",
      "not sent there",
      async () =>
        /evil\.example/.test(
          await rawHttp(httpPort, `GET http://evil.example/ HTTP/1.1\r\nHost: ${DOMAIN}\r\n\r\n`),
        )
          ? "redirected to evil.example"
          : "not sent there",
    );
    await attacks.try(
      "§5 redirect",
      "HTTP to the site: Location",
      `https://${DOMAIN}:${httpsPort}/x`,
      async () => String((await get("http", httpPort, "/x")).headers.location),
    );
    await attacks.try(
      "§5 host",
      "HTTPS with SNI evil.example",
      "handshake refused",
      () =>
        new Promise<string>((resolve) => {
          const s = tlsConnect(
            { host: "127.0.0.1", port: httpsPort, servername: "evil.example", ca: cert },
            () => {
              s.end();
              resolve("certificate shown");
            },
          );
          s.on("error", () => resolve("handshake refused"));
        }),
    );
    await attacks.try(
      "§5 logs",
      "GET /callback?request_token=tok_ATTACK: token in the logs",
      "absent",
      async () => {
        await get("https", httpsPort, "/callback?request_token=tok_ATTACK&state=st_ATTACK");
        await waitFor(
          () => (readLog("access.log").match(/GET \/callback[ ?]/g) ?? []).length >= 9,
          "the line",
        );
        return /tok_ATTACK|st_ATTACK/.test(readLog("access.log") + readLog("error.log"))
          ? "LOGGED"
          : "absent";
      },
    );
    await attacks.try("§5 headers", "headers the app and nginx both set, on /", "each once", async () => {
      const r = await get("https", httpsPort, "/");
      const names = r.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
      const twice = names.filter((n, i) => names.indexOf(n) !== i);
      return twice.length === 0 ? "each once" : `twice: ${twice.join(", ")}`;
    });
    attacks.report(t);
  });

  function readLog(name: string): string {
    try {
      return readFileSync(join(logs, name), "utf8");
    } catch {
      return "";
    }
  }

  function get(scheme: "http" | "https", port: number, path: string) {
    return send(scheme, port, "GET", path);
  }

  function send(
    scheme: "http" | "https",
    port: number,
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    rawHeaders: string[];
    body: string;
  }> {
    return new Promise((resolve, reject) => {
      const options = {
        host: "127.0.0.1",
        port,
        method,
        path,
        headers: { host: scheme === "https" ? DOMAIN : DOMAIN, ...headers },
        ...(scheme === "https"
          ? { servername: DOMAIN, ca: cert, agent: false as const }
          : { agent: false as const }),
      };
      const req = (scheme === "https" ? httpsRequest : httpRequest)(options, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          text += d;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: text,
          }),
        );
      });
      req.on("error", reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
});

/** Sends `request` as is over plain TCP; resolves with whatever came back before the close. */
function rawHttp(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const s = netConnect(port, "127.0.0.1", () => s.write(request));
    s.setEncoding("utf8");
    s.on("data", (d: string) => {
      text += d;
      if (text.includes("\r\n\r\n")) s.end();
    });
    s.on("close", () => resolve(text));
    s.on("error", () => resolve(text));
  });
}

/** Waits until `port` accepts connections (nginx is up), failing with nginx's stderr. */
async function waitForPort(port: number, stderr: () => string): Promise<void> {
  const until = performance.now() + 10_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = netConnect(port, "127.0.0.1", () => {
        s.end();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (open) return;
    if (performance.now() > until) assert.fail(`nginx did not start: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
