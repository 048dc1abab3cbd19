import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { SessionStore } from "../../src/adapters/kite/session-store.js";
import { systemClock } from "../../src/ports/clock.js";
import type { RunningSimulator } from "../../src/sim/simulator.js";
import { UNTHROTTLED_LIMITS } from "./hand-timers.js";

export { freePort } from "./free-port.js";

import { loginAtSim } from "./sim-login.js";

/** The data files of a service under test, all inside its folder. */
export interface ServiceFiles {
  configPath: string;
  data: {
    database_path: string;
    cache_dir: string;
    access_token_file: string;
    log_dir: string;
    archive_dir: string;
  };
}

/**
 * Sets up `pivot start` (LIVE, in the simulator's market time, MARKET entries) against `sim` in
 * `dir`: the config file (with `server` as given) and a Kite session logged in through the
 * simulator's login page, as the trader's morning login would leave it.
 */
export async function prepareSimService(
  sim: RunningSimulator,
  dir: string,
  server: Record<string, unknown>,
  /** More configuration sections, merged over the defaults written here. */
  extra: Record<string, unknown> = {},
): Promise<ServiceFiles> {
  const data = {
    database_path: join(dir, "trading.db"),
    cache_dir: join(dir, "cache"),
    access_token_file: join(dir, "access_token.json"),
    log_dir: join(dir, "logs"),
    archive_dir: join(dir, "archive"),
  };
  const configPath = join(dir, "config.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      api_key: sim.apiKey,
      api_secret: sim.apiSecret,
      trading: { paper_trading: false },
      kite: {
        api_root: sim.url,
        ws_root: sim.wsUrl,
        login_url: sim.loginUrl,
        simulator_clock: true,
        user_id: sim.userId,
      },
      execution: { entry_order: "MARKET", entry_timeout_seconds: 180 },
      server,
      data,
      ...extra,
    }),
    { mode: 0o600 },
  );
  const rest = new KiteRest({
    apiKey: sim.apiKey,
    apiRoot: sim.url,
    timeoutMs: 5000,
    limiter: new RateLimiter({ clock: systemClock, limits: UNTHROTTLED_LIMITS }),
  });
  const session = await loginAtSim(sim, rest);
  new SessionStore({ path: data.access_token_file, clock: sim.marketClock }).save({
    accessToken: session.accessToken,
    userId: session.userId,
  });
  return { configPath, data };
}
