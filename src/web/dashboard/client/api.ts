/*
 * The server API the page uses. Every control call carries the session's CSRF token; a 401
 * anywhere means the dashboard session ended, and the page goes to the login form.
 */

import type { Candle } from "../../../domain/candle.js";
import type { ServiceMode, StatusSnapshot } from "../../../ports/app.js";

export const LOGIN_PAGE = "/auth/login";

/** The outcome of a control call, with the server's message when it was refused. */
export type ControlOutcome = { ok: true } | { ok: false; message: string };

/** Thrown when the dashboard session is gone (the caller sends the trader to the login page). */
export class SessionEnded extends Error {
  constructor() {
    super("the dashboard session ended");
  }
}

export class DashboardApi {
  private csrfToken: string | null = null;

  /** Reads the session (its CSRF token and the service's mode). */
  async session(): Promise<{ csrfToken: string; mode: ServiceMode }> {
    const body = (await this.getJson("/api/session")) as { csrfToken: string; mode: ServiceMode };
    this.csrfToken = body.csrfToken;
    return body;
  }

  async status(): Promise<StatusSnapshot> {
    return (await this.getJson("/status")) as StatusSnapshot;
  }

  async candles(symbol: string): Promise<Candle[]> {
    return (await this.getJson(`/api/candles?symbol=${encodeURIComponent(symbol)}`)) as Candle[];
  }

  setEntries(enabled: boolean): Promise<ControlOutcome> {
    return this.control("/api/control/entries", { enabled });
  }

  panic(): Promise<ControlOutcome> {
    return this.control("/api/control/panic", { confirm: true });
  }

  clearPanic(): Promise<ControlOutcome> {
    return this.control("/api/control/panic/clear", {});
  }

  setLots(lots: number): Promise<ControlOutcome> {
    return this.control("/api/control/lots", { lots });
  }

  /** Ends the dashboard session (the page then shows the login form). */
  async logout(): Promise<void> {
    await fetch("/auth/logout", {
      method: "POST",
      headers: { "x-csrf-token": await this.token() },
      credentials: "same-origin",
      redirect: "manual",
    });
  }

  private async token(): Promise<string> {
    if (this.csrfToken === null) await this.session();
    return this.csrfToken as string;
  }

  private async getJson(path: string): Promise<unknown> {
    const res = await fetch(path, { credentials: "same-origin", headers: { accept: "application/json" } });
    if (res.status === 401) throw new SessionEnded();
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await messageOf(res)}`.trim());
    return res.json();
  }

  /** POSTs a control; a refused CSRF token (403) is renewed once, as the session may have rotated it. */
  private async control(path: string, body: unknown, retried = false): Promise<ControlOutcome> {
    const res = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": await this.token() },
      body: JSON.stringify(body),
    });
    if (res.status === 401) throw new SessionEnded();
    if (res.status === 403 && !retried) {
      await this.session();
      return this.control(path, body, true);
    }
    if (res.ok) return { ok: true };
    return { ok: false, message: (await messageOf(res)) || `refused (HTTP ${res.status})` };
  }
}

/** The `error` of a JSON error body, else the body's text (short). */
async function messageOf(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 200);
}
