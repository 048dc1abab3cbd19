import type { LoginOutcome } from "../ports/session.js";
import { html, page } from "./html.js";

/*
 * The pages the server renders itself. None holds a token: the Kite callback pages show who
 * logged in and until when, or what went wrong and how to retry.
 */

/** The dashboard login form, with a message after a failed attempt. */
export function loginFormPage(message?: string): string {
  return page(
    "Dashboard login",
    html`${message ? html`<p class="bad">${message}</p>` : html``}
<form method="post" action="/auth/login">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button>
</form>`,
  );
}

/** Login refused: no password was ever set. */
export function noPasswordPage(): string {
  return page(
    "Dashboard login is not set up",
    html`<p class="bad">No dashboard password is configured, so nobody can log in.</p>
<p>On the server, run <code>pivot set-password</code> (it writes <code>server.password_hash</code> into the
configuration file), then restart the service.</p>`,
  );
}

/** Too many login attempts from this address. */
export function tooManyAttemptsPage(retryAfterS: number): string {
  return page(
    "Too many attempts",
    html`<p class="bad">Too many login attempts from your address. Try again in ${retryAfterS} s.</p>`,
  );
}

/** The Kite callback succeeded. */
export function kiteLoginSuccessPage(outcome: Extract<LoginOutcome, { ok: true }>): string {
  const who = outcome.userName ? `${outcome.userId} (${outcome.userName})` : outcome.userId;
  return page(
    "Logged in to Kite",
    html`<p class="good">Kite login complete for <strong>${who}</strong>.</p>
<p>The session is valid until <strong>${outcome.expiresAt}</strong>. The service uses it from now on;
you can close this window.</p>
<p><a href="/">Open the dashboard</a></p>`,
  );
}

/** The Kite callback failed. */
export function kiteLoginFailurePage(outcome: Extract<LoginOutcome, { ok: false }>): string {
  return page(
    "Kite login failed",
    html`<p class="bad">${outcome.message}.</p>
<p>Nothing was changed. To retry, start a new login: <a href="/login">log in with Kite again</a>
from the dashboard or the latest Telegram reminder (or run <code>pivot login</code> on the server).
A login link is good for one use and a few minutes.</p>`,
  );
}

/** /login without a dashboard session or a good signed link: no Kite login is started. */
export function kiteLoginRefusedPage(verdict: "missing" | "invalid" | "expired" | "used"): string {
  const why =
    verdict === "expired"
      ? "This login link has expired."
      : verdict === "used"
        ? "This login link was already used."
        : verdict === "invalid"
          ? "This login link is not valid."
          : "A Kite login starts from the dashboard or from the link of the Telegram reminder.";
  return page(
    "Kite login not started",
    html`<p class="bad">${why}</p>
<p><a href="/">Log in to the dashboard</a> and start the Kite login there, use the link of the latest
Telegram reminder, or run <code>pivot login</code> on the server.</p>`,
  );
}

/** GET / when no dashboard is installed: the session works, the JSON status is one click away. */
export function fallbackHomePage(csrfToken: string): string {
  return page(
    "Pivot Trading System",
    html`<p>You are logged in. The dashboard is not installed in this build.</p>
<ul><li><a href="/status">Status (JSON)</a></li><li><a href="/login">Log in with Kite</a></li></ul>
<form method="post" action="/auth/logout">
<input type="hidden" name="csrf_token" value="${csrfToken}">
<button type="submit">Log out</button>
</form>`,
  );
}
