import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Command } from "commander";
import type { LoginOutcome } from "../../adapters/kite/login-flow.js";
import { type Clock, systemClock } from "../../ports/clock.js";
import { configForCommand } from "../load-config.js";
import { UserError } from "../user-error.js";

/*
 * `pivot login`: the day's Kite login from a terminal. It prints the login URL, then either
 * receives Kite's redirect itself (listening on 127.0.0.1:auth.callback_port) or, when that
 * port is taken (the service is running and will receive the callback), waits for the session
 * file to hold a new session. Both share the pending login states through a file beside the
 * session file, so a URL printed here is accepted by the service's /callback.
 */

interface LoginFlags {
  config?: string;
}

/** What a test may replace. */
export interface LoginDeps {
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Overrides auth.auth_timeout_seconds (tests). */
  timeoutMs?: number;
  /** How often the session file is read while the service has the port. */
  pollMs?: number;
}

/** Registers `pivot login`. */
export function registerLogin(program: Command): void {
  program
    .command("login")
    .description("log in to Kite for the day: prints the login URL and waits until the session is stored")
    .option("--config <file>", "configuration file (default ./config.json)")
    .action((flags: LoginFlags) => loginCommand(flags));
}

/** Runs the login; resolves when a new session is stored, throws a UserError otherwise. */
export async function loginCommand(flags: LoginFlags, deps: LoginDeps = {}): Promise<void> {
  const config = configForCommand(flags.config, deps.env ?? process.env);
  const out = deps.out ?? ((t: string) => void process.stdout.write(t));
  const err = deps.err ?? ((t: string) => void process.stderr.write(t));
  if (config.api_key === "" || config.api_secret === "") {
    const missing = [
      config.api_key === "" ? "KITE_API_KEY" : "",
      config.api_secret === "" ? "KITE_API_SECRET" : "",
    ]
      .filter(Boolean)
      .join(" and ");
    throw new UserError(
      `the Kite app's credentials are missing: set ${missing} in the environment (or api_key / api_secret in the configuration file)`,
    );
  }
  // Loaded here, not at start-up: other commands do not need them.
  const [{ KiteRest }, { RateLimiter }, { SessionStore, readSessionFile }, login] = await Promise.all([
    import("../../adapters/kite/kite-rest.js"),
    import("../../adapters/kite/rate-limiter.js"),
    import("../../adapters/kite/session-store.js"),
    import("../../adapters/kite/login-flow.js"),
  ]);
  const clock = deps.clock ?? systemClock;
  const warn = (m: string) => err(`warning: ${m}\n`);
  const sessionPath = config.data.access_token_file;
  const before = readSessionFile(sessionPath, clock.now(), warn);
  const previousToken = before.state === "valid" ? before.session.accessToken : null;
  if (before.state === "valid") {
    err(
      `A session for ${before.session.userId} is valid until ${before.session.expiresAt}; logging in again replaces it.\n`,
    );
  }

  const store = new SessionStore({ path: sessionPath, clock, warn });
  const kite = new KiteRest({
    apiKey: config.api_key,
    apiRoot: config.kite.api_root,
    timeoutMs: config.kite.request_timeout_ms,
    limiter: new RateLimiter({ clock }),
  });
  const flow = new login.LoginFlow({
    apiKey: config.api_key,
    apiSecret: config.api_secret,
    loginUrl: config.kite.login_url,
    authTimeoutSeconds: config.auth.auth_timeout_seconds,
    clock,
    states: new login.FilePendingStates(login.loginStatesPath(sessionPath), clock),
    kite,
    store,
    // The trader's client id: a login with another Kite account is refused, as in the service.
    expectedUserId: config.kite.user_id,
  });
  const timeoutMs = deps.timeoutMs ?? config.auth.auth_timeout_seconds * 1000;
  const port = config.auth.callback_port;
  const path = callbackPath(config.auth.redirect_url);

  let resolveOutcome: (o: LoginOutcome | "timeout") => void = () => {};
  const outcome = new Promise<LoginOutcome | "timeout">((resolve) => {
    resolveOutcome = resolve;
  });
  const server = await listenLocal(port, (req, res) => {
    void answerCallback(req, res, path, flow, resolveOutcome);
  });
  const { url } = flow.start();
  out(
    `Open this URL in a browser and log in to Kite (within ${Math.round(timeoutMs / 1000)} s):\n\n  ${url}\n\n`,
  );

  let poll: NodeJS.Timeout | undefined;
  if (server) {
    err(`Waiting for Kite's redirect on http://127.0.0.1:${port}${path} ...\n`);
  } else {
    err(
      `Port ${port} is in use (the service, presumably): it receives Kite's redirect. Waiting for ${sessionPath} to hold the new session ...\n`,
    );
    poll = setInterval(() => {
      const now = readSessionFile(sessionPath, clock.now());
      if (now.state === "valid" && now.session.accessToken !== previousToken) {
        resolveOutcome({
          ok: true,
          userId: now.session.userId,
          userName: now.session.userName,
          expiresAt: now.session.expiresAt,
        });
      }
    }, deps.pollMs ?? 1000);
  }
  const timer = setTimeout(() => resolveOutcome("timeout"), timeoutMs);

  const result = await outcome;
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  if (server) await closeServer(server);

  if (result === "timeout") {
    throw new UserError(
      `no login arrived within ${Math.round(timeoutMs / 1000)} s (auth.auth_timeout_seconds): run pivot login again`,
    );
  }
  if (!result.ok) throw new UserError(`login failed: ${result.message}`);
  const name = result.userName ? ` (${result.userName})` : "";
  out(
    `Logged in as ${result.userId}${name}. The session is valid until ${result.expiresAt}; saved in ${sessionPath}.\n`,
  );
}

/** The path part of auth.redirect_url (where Kite sends the browser back), `/callback` by default. */
function callbackPath(redirectUrl: string): string {
  try {
    const p = new URL(redirectUrl).pathname;
    return p && p !== "/" ? p : "/callback";
  } catch {
    return "/callback";
  }
}

/** Listens on 127.0.0.1:port; null when the port is taken (someone else receives the callback). */
function listenLocal(
  port: number,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Server | null> {
  return import("node:http").then(
    ({ createServer }) =>
      new Promise<Server | null>((resolve, reject) => {
        const server = createServer(handler);
        server.once("error", (e: NodeJS.ErrnoException) => {
          if (e.code === "EADDRINUSE") resolve(null);
          else
            reject(
              new UserError(
                `cannot listen on 127.0.0.1:${port} (auth.callback_port): ${e.code ?? e.message}`,
              ),
            );
        });
        server.listen({ host: "127.0.0.1", port }, () => {
          server.on("error", () => {}); // a late socket error must not end the login
          resolve(server);
        });
      }),
  );
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function answerCallback(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  flow: { handleCallback(q: URLSearchParams): Promise<LoginOutcome> },
  done: (o: LoginOutcome) => void,
): Promise<void> {
  try {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== path)
      return page(res, 404, "Not found", "This server only receives Kite's login redirect.");
    if (req.method !== "GET")
      return page(res, 405, "Method not allowed", "Kite's redirect is a GET request.");
    const outcome = await flow.handleCallback(url.searchParams);
    if (outcome.ok) {
      page(
        res,
        200,
        "Logged in",
        `Kite login complete for ${outcome.userId}; the session is valid until ${outcome.expiresAt}. You can close this window.`,
      );
    } else {
      page(res, 400, "Login failed", `${outcome.message}.`);
    }
    // A callback that is not ours (a stale tab, a stray request) does not end the wait.
    if (outcome.ok || outcome.reason !== "bad_state") done(outcome);
  } catch {
    if (!res.headersSent) page(res, 500, "Login failed", "The callback could not be handled.");
  }
}

/** A small HTML page; it never holds a token. */
function page(res: ServerResponse, status: number, title: string, text: string): void {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pivot: ${escapeHtml(title)}</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(text)}</p>
</body></html>
`;
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    // The request token is in this page's URL: no referrer leaves with it.
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(body);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
