import type { KiteRest } from "../adapters/kite/kite-rest.js";
import type { Config } from "../config/schema.js";
import { underlyingOf } from "../config/underlying.js";
import type { InstrumentMaster } from "../domain/instruments.js";
import { masterExchangesOf } from "../domain/underlyings.js";
import type { Clock } from "../ports/clock.js";
import { UserError } from "./user-error.js";

/*
 * The Kite REST client of a command that reads market data with the trader's session
 * (`fetch-candles`, `archive`): the api key from the configuration, the access token from the
 * session file, the rate limits of Kite's API classes. A missing key or session is a UserError
 * that says what to do.
 */

/** What a test may replace in a command that talks to Kite with the trader's session. */
export interface KiteCommandDeps {
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Waits (rate limits, back-off); with a manual clock it must move the clock. */
  sleep?: (ms: number) => Promise<void>;
}

export interface CommandKite {
  kite: KiteRest;
  /** The error for Kite ending the session mid-command. */
  expired: () => UserError;
}

export async function kiteForCommand(
  config: Config,
  command: string,
  deps: { clock: Clock; warn: (message: string) => void; sleep?: (ms: number) => Promise<void> },
): Promise<CommandKite> {
  if (config.api_key === "") {
    throw new UserError(
      "the Kite app's api key is missing: set KITE_API_KEY in the environment (or api_key in the configuration file)",
    );
  }
  const [{ KiteRest }, { RateLimiter }, { SessionStore }] = await Promise.all([
    import("../adapters/kite/kite-rest.js"),
    import("../adapters/kite/rate-limiter.js"),
    import("../adapters/kite/session-store.js"),
  ]);
  const { clock, sleep } = deps;
  const store = new SessionStore({ path: config.data.access_token_file, clock, warn: deps.warn });
  const session = store.load();
  if (!session) {
    throw new UserError(`no valid Kite session in ${config.data.access_token_file}: run pivot login first`);
  }
  const kite = new KiteRest({
    apiKey: config.api_key,
    apiRoot: config.kite.api_root,
    timeoutMs: config.kite.request_timeout_ms,
    limiter: new RateLimiter({ clock, ...(sleep ? { sleep } : {}) }),
    ...(sleep ? { sleep } : {}),
    accessToken: session.accessToken,
    onSessionExpired: (token) => store.markExpired(token),
  });
  const expired = () =>
    new UserError(`Kite ended the session (TokenException): run pivot login, then ${command} again`);
  return { kite, expired };
}

/** The command's Kite client and the instrument master of the configured underlying's exchanges. */
export async function kiteAndMasterForCommand(
  config: Config,
  command: string,
  deps: { clock: Clock; warn: (message: string) => void; sleep?: (ms: number) => Promise<void> },
): Promise<CommandKite & { master: InstrumentMaster }> {
  const [commandKite, { loadInstrumentMaster }] = await Promise.all([
    kiteForCommand(config, command, deps),
    import("../adapters/kite/instrument-cache.js"),
  ]);
  const loaded = await loadInstrumentMaster({
    kite: commandKite.kite,
    cacheDir: config.data.cache_dir,
    clock: deps.clock,
    warn: deps.warn,
    exchanges: masterExchangesOf(underlyingOf(config)),
  });
  if (!loaded.ok) throw new UserError(loaded.message);
  return { ...commandKite, master: loaded.master };
}
