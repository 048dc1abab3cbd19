/**
 * No secret of a fully filled configuration reaches a Telegram reply, a page, /status, a log
 * line or the console. The whole service runs (startSimulatedDay: the simulator replays the
 * real 2025-09-05 into the service in LIVE mode, through a trade), with every secret set: the
 * Kite API secret, the bot token (the fake Bot API's), the /status token, the dashboard
 * password's hash, and the day's access token from the morning login. Then every page and
 * route is fetched, every bot command and button used, and everything that came out is
 * searched for each secret.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readSessionFile } from "../../src/adapters/kite/session-store.js";
import { startSimulatedDay } from "../../src/app/simulated-day.js";
import { secretValuesOf } from "../../src/config/secrets.js";
import { FakeBotApi } from "../support/fake-bot-api.js";
import { coversEverySecret, FILLED_PASSWORD, filledSecrets, mustParse } from "../support/filled-config.js";
import { REAL_CANDLES_DIR } from "../support/paths.js";
import { waitFor } from "../support/wait.js";

const CHAT = 111;
const COMMANDS = [
  "/start",
  "/help",
  "/status",
  "/health",
  "/trades",
  "/summary",
  "/reminders",
  "/config",
  "/login",
  "/setlots 2",
  "/disable",
  "/enable",
  "/panic",
  "/resume",
  "/nonsense",
];

test("a day with every secret set → no secret in any reply, page, /status, log or console line", async () => {
  const api = new FakeBotApi();
  await api.start();
  const workDir = mkdtempSync(join(tmpdir(), "leaks-"));
  const consoleOut: string[] = [];
  const secrets = await filledSecrets({ telegram_token: api.token });
  const base = mustParse({
    ...secrets,
    telegram_chat_id: String(CHAT),
    telegram: { api_root: api.apiRoot, polling_timeout_seconds: 1 },
  });
  assert.ok(coversEverySecret(base));
  const day = await startSimulatedDay({
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    speed: 300,
    config: base,
    workDir,
    port: 0,
    banner: "LIVE",
    version: "test",
    console: { write: (t: string) => consoleOut.push(t) },
  });
  const seen: Array<{ where: string; text: string }> = [];
  try {
    // Through the first trade's entry (10:15), so that orders, fills and alerts are in the logs.
    await waitFor(() => day.stack.store.trades.byDate("2025-09-05").length > 0, "the first trade", 90_000);

    const url = day.stack.url;
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const r = await fetch(`${url}${path}`, { headers, redirect: "manual" });
      const text = await r.text();
      seen.push({ where: `GET ${path} → ${r.status}`, text: `${JSON.stringify([...r.headers])}\n${text}` });
      return { status: r.status, headers: r.headers, text };
    };
    const token = day.config.server.api_token;
    assert.equal((await get("/status", { authorization: `Bearer ${token}` })).status, 200);
    await get("/health");
    await get("/metrics");
    await get("/");
    await get("/auth/login");
    await get("/callback?status=success&request_token=forgedrequesttoken&action=login&state=nope");
    const wrong = await fetch(`${url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "password=not-the-password",
      redirect: "manual",
    });
    seen.push({ where: "POST /auth/login (wrong)", text: await wrong.text() });
    const login = await fetch(`${url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `password=${encodeURIComponent(FILLED_PASSWORD)}`,
      redirect: "manual",
    });
    assert.equal(login.status, 303);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    await get("/", { cookie });
    const session = await get("/api/session", { cookie });
    assert.equal(session.status, 200);
    const symbol = day.stack.store.trades.byDate("2025-09-05")[0]?.symbol ?? "";
    await get(`/api/candles?symbol=${symbol}`, { cookie });
    const events = await fetch(`${url}/events`, { headers: { cookie } });
    const reader = events.body?.getReader();
    const first = await reader?.read();
    await reader?.cancel();
    seen.push({ where: "GET /events", text: new TextDecoder().decode(first?.value ?? new Uint8Array()) });
    const forged = await fetch(`${url}/postback`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ order_id: "1", order_timestamp: "2025-09-05 10:15:00", checksum: "00" }),
    });
    seen.push({ where: "POST /postback (forged)", text: await forged.text() });

    for (const command of COMMANDS) {
      const before = api.sentTo(CHAT).length;
      api.sendUserMessage(CHAT, command);
      await waitFor(() => api.sentTo(CHAT).length > before, `the answer to ${command}`, 10_000);
    }
    const status = api.sentTo(CHAT).find((m) => m.text?.startsWith("<b>LIVE</b>") && m.buttons);
    for (const button of status?.buttons?.flat() ?? []) {
      const before = api.sentTo(CHAT).length;
      api.pressButton(CHAT, status as NonNullable<typeof status>, button[1]);
      await waitFor(() => api.sentTo(CHAT).length > before, `the answer to the button ${button[1]}`, 10_000);
    }
  } finally {
    await day.stop();
    await api.close();
  }

  for (const m of api.sent) seen.push({ where: `telegram ${m.method}`, text: JSON.stringify(m) });
  const logDir = day.config.data.log_dir;
  for (const f of readdirSync(logDir)) {
    if (f.endsWith(".log")) seen.push({ where: `log ${f}`, text: readFileSync(join(logDir, f), "utf8") });
  }
  seen.push({ where: "console", text: consoleOut.join("") });

  const file = readSessionFile(day.config.data.access_token_file, 0);
  const accessToken = file.state === "valid" ? file.session.accessToken : "";
  assert.ok(accessToken.length > 6, "the day's access token is known");
  const { api_key: apiKey } = day.config;
  const named = [
    ...secretValuesOf(day.config).map((value) => ({ value, isApiKey: value === apiKey })),
    { value: accessToken, isApiKey: false },
  ];
  assert.ok(named.length >= 6);
  const leaks: string[] = [];
  for (const { where, text } of seen) {
    for (const { value, isApiKey } of named) {
      if (!text.includes(value)) continue;
      // The api_key is in every Kite login link by Kite's design (the /login reply); nowhere else.
      if (isApiKey && text.split(value).length - 1 === (text.match(/[?&]api_key=/g) ?? []).length) continue;
      leaks.push(`${where}: ${value.slice(0, 10)}…`);
    }
  }
  assert.deepEqual(leaks, []);
  assert.ok(seen.length > 30, `everything looked at (${seen.length} outputs)`);
  assert.ok(
    api.sentTo(CHAT).some((m) => m.text?.includes("(set, hidden)")),
    "the /config reply was among them",
  );
});
