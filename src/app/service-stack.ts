/*
 * The composition root of the trading service (`pivot start`, the demo, the rehearsal): one
 * process holding the engine, the web server (callback, postback, health, status, dashboard),
 * Telegram, the logs and the health checks. Everything that touches the outside world is
 * chosen here and nowhere else; the parts are tested on their own with fakes.
 */

import { dirname } from "node:path";
import { KiteBroker } from "../adapters/kite/kite-broker.js";
import { KiteHistory } from "../adapters/kite/kite-history.js";
import { KiteRest } from "../adapters/kite/kite-rest.js";
import { FilePendingStates, LoginFlow, loginStatesPath } from "../adapters/kite/login-flow.js";
import {
  LoginLinks,
  loadOrCreateLinkKey,
  loginLinkKeyPath,
  loginLinkUrl,
} from "../adapters/kite/login-links.js";
import { checkKitePostback } from "../adapters/kite/postback-check.js";
import { RateLimiter } from "../adapters/kite/rate-limiter.js";
import { SessionStore } from "../adapters/kite/session-store.js";
import { TickerClient } from "../adapters/kite/ticker-client.js";
import { Store } from "../adapters/sqlite/store.js";
import { startWalCheckpointerWhenBusy } from "../adapters/sqlite/wal-checkpointer.js";
import { createTelegram } from "../adapters/telegram/telegram.js";
import { type Config, serverPort } from "../config/schema.js";
import { secretValuesOf } from "../config/secrets.js";
import { tradingCalendarOf } from "../config/underlying.js";
import { istPartsOf, parseHhmm } from "../domain/ist.js";
import { createPostbackIntake } from "../engine/postback-intake.js";
import { StaticIpGuard } from "../engine/static-ip-guard.js";
import { TradingService } from "../engine/trading-service.js";
import { DiskSpaceWatcher, describeDisk } from "../ops/disk-space.js";
import type { DoctorContext } from "../ops/doctor/check.js";
import { realProbes } from "../ops/doctor/probes.js";
import { runChecks } from "../ops/doctor/run-checks.js";
import { doctorSettings, domainOfRedirectUrl, fileHasSecrets } from "../ops/doctor/settings.js";
import { createServiceLogger } from "../ops/logging/logger.js";
import { portHeldMessage } from "../ops/port-owner.js";
import { staticIpRule } from "../ops/static-ip.js";
import type { HealthCheck, PostbackSink, ServiceMode } from "../ports/app.js";
import { type Clock, systemClock } from "../ports/clock.js";
import type { Notifier } from "../ports/notifier.js";
import { realSetTimer, type SetTimer } from "../ports/timer.js";
import { buildApp } from "../web/app.js";
import { createDashboard } from "../web/dashboard/plugin.js";
import { listenApp } from "../web/listen.js";
import { createServiceMetrics } from "../web/service-metrics.js";
import { dayArchiver } from "./day-archiver.js";
import { ServiceEngineView } from "./engine-view.js";
import { LoginGuard } from "./login-guard.js";
import { startMissedDayArchive } from "./missed-archive.js";
import { paperBrokerOf } from "./paper-broker-of.js";
import { certificateReminder, watchFeed } from "./reminders.js";
import { ServiceMetering } from "./service-metering.js";
import { serviceSleep } from "./service-sleep.js";

/** How often the cheap health checks run (they feed /status, the dashboard and Telegram). */
const CHECKS_EVERY_MS = 60_000;
/** In market hours the day loop beats every second: this much silence means it is stuck. */
const LOOP_STUCK_MS = 15_000;

export interface ServiceStackOptions {
  config: Config;
  /** The configuration file (for the permissions check), null when there is none (the demo). */
  configPath: string | null;
  mode: "live" | "paper";
  /** The dashboard's banner: LIVE or PAPER, SIM against the simulator, DEMO for the demo. */
  banner: ServiceMode;
  version: string;
  /** Default: the system clock and real timers. A rehearsal passes the simulator's. */
  clock?: Clock;
  setTimer?: SetTimer;
  /** Real time, for the uptime (default the system clock; `clock` may be the simulator's). */
  wallClock?: Clock;
  /** Listen on this port instead of the configured one (tests: 0). */
  portOverride?: number;
  /** The flag or key that sets the port, for a "port taken" message (default the config's key). */
  portSetting?: string;
  /** Where console lines go (default stderr). */
  console?: { write(text: string): unknown; isTTY?: boolean };
  /**
   * Console lines for a person (the demo, the rehearsal): readable whatever the console is,
   * from `level` up. Default: readable on a terminal, else warnings as JSON (the journal).
   */
  readableConsole?: { level: "info" | "warn" };
}

export interface ServiceStack {
  service: TradingService;
  store: Store;
  /** The web server's URL (http://127.0.0.1:8001). */
  url: string;
  /** The latest cheap health checks (what /status, the dashboard and Telegram show). */
  checks(): readonly HealthCheck[];
  /** Stops everything, in order: no new entries, in-flight calls settled, sockets closed, logs flushed. */
  stop(): Promise<void>;
}

/** Builds and starts the whole service. Throws (before anything trades) when it cannot start. */
export async function startServiceStack(o: ServiceStackOptions): Promise<ServiceStack> {
  const { config, mode } = o;
  const clock = o.clock ?? systemClock;
  const setTimer = o.setTimer ?? realSetTimer;
  const port = o.portOverride ?? serverPort(config);
  if (port !== 0) {
    const held = await portHeldMessage(port, o.portSetting);
    if (held) throw new Error(held);
  }

  let sessions: SessionStore | null = null;
  // A log folder failing while the logger is made is told once `notify` exists (else not at all).
  let notifyReady = false;
  const earlyLogFailures: string[] = [];
  const logging = await createServiceLogger({
    dir: config.data.log_dir,
    retentionDays: config.data.log_retention_days,
    level: config.data.log_level,
    clock,
    setTimer,
    ...(o.console ? { console: o.console } : {}),
    ...(o.readableConsole ? { pretty: true, consoleLevel: o.readableConsole.level } : {}),
    secrets: () => [...secretValuesOf(config), sessions?.current()?.accessToken ?? ""],
    onFileFailure: (m) => {
      if (notifyReady) notify("warning", `logs: ${m}`);
      else earlyLogFailures.push(m);
    },
  });
  const logger = logging.logger;
  const log = (line: string) => logger.info(line);
  const notify = (level: "info" | "warning" | "critical", message: string) => {
    if (level === "critical") logger.error(message);
    else if (level === "warning") logger.warn(message);
    else logger.info(message);
  };
  notifyReady = true;
  for (const m of earlyLogFailures) notify("warning", `logs: ${m}`);

  sessions = new SessionStore({ path: config.data.access_token_file, clock, warn: log });
  const sleep = serviceSleep(setTimer);
  const rest = new KiteRest({
    apiKey: config.api_key,
    apiRoot: config.kite.api_root,
    timeoutMs: config.kite.request_timeout_ms,
    limiter: new RateLimiter({ clock, sleep }),
    sleep,
    onSessionExpired: (token) => sessions?.markExpired(token),
    algoId: config.execution.algo_id,
  });
  const loginFlow = new LoginFlow({
    apiKey: config.api_key,
    apiSecret: config.api_secret,
    loginUrl: config.kite.login_url,
    authTimeoutSeconds: config.auth.auth_timeout_seconds,
    clock,
    states: new FilePendingStates(loginStatesPath(config.data.access_token_file), clock),
    kite: rest,
    store: sessions,
    expectedUserId: config.kite.user_id,
  });
  // The "login needed" reminder carries a signed single-use link to /login, not a Kite URL.
  const loginLinks = new LoginLinks({
    key: loadOrCreateLinkKey(loginLinkKeyPath(config.data.access_token_file)),
    clock,
  });
  const open = parseHhmm(config.market.start_time);
  const close = parseHhmm(config.market.end_time);
  const ticker = new TickerClient({
    url: config.kite.ws_root,
    apiKey: config.api_key,
    accessToken: () => sessions?.current()?.accessToken ?? null,
    // Heartbeats come every real second, also from the simulator: the watchdog keeps real time.
    clock: systemClock,
    silenceMs: config.kite.ticker_silence_seconds * 1000,
    watchdogActive: () => {
      const m = istPartsOf(clock.now()).minute;
      return m >= open && m < close;
    },
  });
  ticker.on("error", (e) => logger.warn(`ticker: ${e.source}: ${e.message}`));
  const store = Store.open(mode === "paper" ? config.data.paper_database_path : config.data.database_path, {
    clock,
  });
  const metrics = createServiceMetrics();
  const metering = new ServiceMetering({
    metrics,
    clock,
    candleMinutes: config.trading.candle_interval_minutes,
    openMinute: parseHhmm(config.market.start_time),
  });
  const probes = realProbes(clock);
  // Dashboard alerts come from the service's events: bound once the service exists.
  const alert = (level: "warning" | "critical", message: string) => {
    notify(level, message);
    service?.events.emit("alert", level, message);
  };
  const staticIp = new StaticIpGuard({
    staticIps: config.kite.static_ips,
    // Against the simulator (a rehearsal, the demo) this host's public address means nothing.
    publicAddress: isZerodhaApi(config.kite.api_root) ? probes.publicAddress : null,
    rule: staticIpRule,
    clock,
    notifier: { notify: (n) => notifier.notify(n) },
    alert,
  });
  const kiteBroker =
    mode === "live"
      ? metering.meter(
          new KiteBroker({
            rest,
            onFeedProblem: (p) => logger.warn(`order feed (${p.source}): ${p.reason}`),
            onSourceAddressRefused: (action, failure) => staticIp.orderRefused(action, failure),
          }),
        )
      : null;
  const calendar = tradingCalendarOf(config);

  // The service tells Telegram; its bot reads the service (the view): bound once both exist.
  let telegram: ReturnType<typeof createTelegram> | null = null;
  const notifier: Notifier = { notify: (n) => telegram?.notifier.notify(n) };

  const archiver = dayArchiver({ kite: rest, config, notify, log });
  let service: TradingService | null = null;
  service = new TradingService({
    config,
    clock,
    setTimer,
    store,
    kite: rest,
    history: new KiteHistory({ kite: rest, cacheDir: config.data.cache_dir, clock }),
    sessions,
    ticker,
    broker: kiteBroker
      ? { mode: "live", broker: kiteBroker }
      : {
          mode: "paper",
          broker: metering.meter(
            paperBrokerOf(config, clock, store, (e, id) =>
              logger.error(`paper book not written${id ? ` (${id})` : ""}: ${String(e)}`),
            ),
          ),
        },
    calendar,
    loginUrl: () => loginLinkUrl(config.auth.redirect_url, loginLinks.issue().token),
    log,
    notify,
    notifier,
    ...(mode === "live" ? { staticIp } : {}),
    archiver,
  });
  const loginGuard = new LoginGuard({
    login: loginFlow,
    clock,
    notifier,
    audit: store.audit,
    alert,
    expectedUserId: config.kite.user_id,
  });

  let checks: HealthCheck[] = [];
  // Settled once the server listens: the checks look at the port it took and the folders it uses.
  let doctor: DoctorContext | null = null;
  const certDomain = domainOfRedirectUrl(config.auth.redirect_url) ?? "this server";
  const refreshChecks = () =>
    (doctor ? runChecks(doctor, { only: "cheap" }) : Promise.resolve(checks)).then(
      (c) => {
        checks = c;
        const now = clock.now();
        const reminder = certificateReminder(config.server.tls_cert_file, certDomain, now);
        // Once a day at most: the notifier keys reminders by topic and date.
        if (reminder) notifier.notify({ kind: "reminder", date: istPartsOf(now).date, reminder });
      },
      () => {},
    );
  const wallClock = o.wallClock ?? systemClock;
  const startedAtMs = wallClock.now();
  const view = new ServiceEngineView({
    service,
    store,
    config,
    clock,
    calendar,
    sessions,
    ticker,
    mode: o.banner,
    version: o.version,
    startedAtMs,
    wallClock,
    checks: () => [...checks, ...loginGuard.checks(), ...staticIp.checks()],
    every: (ms, fn) => {
      const handle = setInterval(fn, ms);
      handle.unref();
      return () => clearInterval(handle);
    },
  });

  telegram = createTelegram({
    config,
    store,
    clock,
    setTimer,
    log,
    engine: view,
    login: loginFlow,
    label: o.banner === "LIVE" ? null : o.banner,
  });

  // Live: verified postbacks are stored in group commits, confirmed from Kite's order history
  // after the answer, and only then handed to the order manager (postback-intake.ts). Paper
  // mode has no broker orders to hear about.
  const intake = kiteBroker
    ? createPostbackIntake({
        store,
        broker: kiteBroker,
        orders: service.orderManager,
        alert: (message) => {
          logger.error(message);
          notifier.notify({ kind: "error", at: clock.now(), message, context: "postback" });
        },
        onConsumerError: (e, u) => logger.error(`postback ${u.orderId}: ${String(e)}`),
        log: (message) => logger.warn(message),
      })
    : null;
  const postbacks: PostbackSink = intake?.sink ?? { accept: async () => "ignored" };
  // Under a storm of writes, WAL checkpoints move off the main thread (a checkpoint inside a
  // commit would stall every request in flight); on a normal day SQLite's own are cheap.
  const checkpointer = startWalCheckpointerWhenBusy(
    store.db,
    mode === "paper" ? config.data.paper_database_path : config.data.database_path,
    { onError: (e) => logger.warn(`database checkpoints: ${e.message}`) },
  );
  metering.listen({ events: service.events, ticker, store });
  let lastBeat = { market: Number.NaN, real: performance.now() };
  const app = buildApp({
    engine: view,
    postbacks,
    login: loginGuard.port,
    loginLinks,
    checkPostback: (rawBody) => checkKitePostback(rawBody, config.api_secret),
    config,
    clock,
    log: logger,
    version: o.version,
    startedAtMs,
    wallClock,
    metrics,
    health: () => {
      try {
        store.audit.recent(1); // the database answers
      } catch (e) {
        return { ok: false, reason: `database: ${(e as Error).message}` };
      }
      // Real time: in a rehearsal the service's clock runs many times faster than real time.
      const real = performance.now();
      if (service.lastBeatAt !== lastBeat.market) lastBeat = { market: service.lastBeatAt, real };
      const minute = istPartsOf(clock.now()).minute;
      const trading = service.day !== null && minute >= open && minute < close;
      if (trading && real - lastBeat.real > LOOP_STUCK_MS) {
        return {
          ok: false,
          reason: `the day loop has not run for ${Math.round((real - lastBeat.real) / 1000)} s`,
        };
      }
      return { ok: true };
    },
    dashboard: createDashboard(),
  });

  const listening = await listenApp(app, config.server.host, port, o.portSetting);
  doctor = {
    probes,
    settings: doctorSettings(config, o.configPath, o.configPath ? fileHasSecrets(o.configPath) : false, {
      port: listening.port,
      logDir: config.data.log_dir,
      servicePid: process.pid,
    }),
  };
  await refreshChecks();
  const checksTimer = setInterval(() => void refreshChecks(), CHECKS_EVERY_MS);
  checksTimer.unref();
  const disk = new DiskSpaceWatcher({
    paths: [dirname(config.data.database_path), config.data.log_dir],
    onLow: (reading, level) => {
      notify(level === "critical" ? "critical" : "warning", `disk low: ${describeDisk(reading)}`);
      const now = clock.now();
      notifier.notify({
        kind: "reminder",
        date: istPartsOf(now).date,
        reminder: {
          topic: "disk_low",
          path: reading.path,
          freeBytes: reading.freeBytes,
          freePct: reading.freePct,
        },
      });
    },
  });
  const stopDisk = disk.start(realSetTimer);
  const stopFeedWatch = watchFeed(ticker, notifier, clock, setTimer, () => {
    const m = istPartsOf(clock.now()).minute;
    return service.day !== null && m >= open && m < close;
  });

  await service.start();
  const missedArchive = startMissedDayArchive(archiver, {
    kite: rest,
    config,
    calendar,
    clock,
    setTimer,
    notify,
    log,
  });
  telegram?.start();
  logger.info(`${mode.toUpperCase()} trading; dashboard and callback on ${listening.url}`);

  let stopping: Promise<void> | null = null;
  return {
    service,
    store,
    url: listening.url,
    checks: () => checks,
    stop: () => {
      stopping ??= (async () => {
        clearInterval(checksTimer);
        metering.stop();
        stopDisk();
        stopFeedWatch();
        await app.close(); // no more requests (event streams ended)
        await intake?.confirmer.stop(); // claims still waiting are asked about at the next start
        await checkpointer.stop();
        missedArchive?.cancel();
        await service.stop(); // no new entries, work in flight settled, ticker and store closed
        await telegram?.stop();
        logger.info("stopped");
        await logging.close();
      })();
      return stopping;
    },
  };
}

/** True for Zerodha's own API (not `pivot sim`): only there does this host's public address matter. */
function isZerodhaApi(apiRoot: string): boolean {
  try {
    return /(^|\.)kite\.trade$/.test(new URL(apiRoot).hostname);
  } catch {
    return false;
  }
}
