/*
 * The trading service's view of the broker session: whether there is one, the "login needed"
 * message (with a login URL) while there is none before the open, what follows when it
 * ends (no new entries, the trader told) and when it comes back (entries allowed again, the
 * broker reconciled, the day's schedule poked). While it is lost, the session file is looked at
 * every few seconds: `pivot login` run in another process writes it, and this is how the
 * service adopts the new session.
 */

import { type IsoDate, istPartsOf } from "../domain/ist.js";
import type { Clock } from "../ports/clock.js";
import type { Notification } from "../ports/notifier.js";
import type { AlertLevel } from "./order-manager.js";
import type { ServiceSessions, TradingServiceDeps } from "./trading-service-deps.js";

/** How often a lost session is looked for again in the session file. */
const SESSION_LOOK_EVERY_MS = 5_000;

export interface SessionWatcherDeps {
  sessions: ServiceSessions;
  /** A login URL for the "login needed" message. */
  loginUrl: () => string;
  /** When the day is given up without a session (HH:MM IST), told with "login needed". */
  loginGiveUp: string;
  kite: Pick<TradingServiceDeps["kite"], "setAccessToken">;
  clock: Clock;
  /** True while a position is open (told with the session's end). */
  positionOpen: () => boolean;
  /** True once the service has started (a login result is told only then). */
  started: () => boolean;
  /** The entry gate follows the session: applied again on every change. */
  applyEntryGate: () => void;
  notify: (level: AlertLevel, message: string) => void;
  tell: (n: Notification) => void;
  /** Something the status shows changed. */
  changed: () => void;
  /** A lost session came back: the broker is reconciled and the schedule poked. */
  regained: () => void;
}

/** See the file comment. */
export class SessionWatcher {
  private lost = false;
  private lastLookAt = Number.NEGATIVE_INFINITY;
  private readonly loginRequests = new Map<IsoDate, number>();

  constructor(private readonly d: SessionWatcherDeps) {}

  /** True while the broker session is known lost. */
  get isLost(): boolean {
    return this.lost;
  }

  /** Loads the session file; a session found gives the REST client its token. */
  hasSession(): boolean {
    const s = this.d.sessions.load();
    if (s) {
      this.d.kite.setAccessToken(s.accessToken);
      if (this.lost) this.lost = false;
    }
    return s !== null;
  }

  /** While the session is lost, looks for a new one every few seconds (see the file comment). */
  lookForNewSession(now: number): void {
    if (!this.lost || now - this.lastLookAt < SESSION_LOOK_EVERY_MS) return;
    this.lastLookAt = now;
    this.hasSession();
  }

  /** No session at the session check or a reminder: the trader is asked to log in. */
  loginNeeded(date: IsoDate): void {
    const url = this.d.loginUrl();
    const attempt = (this.loginRequests.get(date) ?? 0) + 1;
    this.loginRequests.set(date, attempt);
    this.d.notify("warning", `${date}: Kite login needed: open ${url} (or run \`pivot login\`)`);
    this.d.tell({ kind: "login_needed", date, url, attempt, giveUpAt: this.d.loginGiveUp });
  }

  expired(reason: string): void {
    this.lost = true;
    this.d.applyEntryGate();
    this.d.notify(
      "critical",
      `the Kite session ended (${reason}): no new entries; exits are still attempted. Log in again.`,
    );
    const now = this.d.clock.now();
    this.d.tell({
      kind: "session_expired",
      date: istPartsOf(now).date,
      at: now,
      positionOpen: this.d.positionOpen(),
    });
    this.d.changed();
  }

  started(userId: string): void {
    // The store announces the session before load() returns: give the REST client its token
    // now, or the reconciliation that follows would go out without one.
    const session = this.d.sessions.current();
    if (session) this.d.kite.setAccessToken(session.accessToken);
    const wasLost = this.lost;
    this.lost = false;
    this.d.applyEntryGate();
    this.d.changed();
    const now = this.d.clock.now();
    if (this.d.started()) {
      this.d.tell({
        kind: "login_result",
        date: istPartsOf(now).date,
        at: now,
        ok: true,
        userId,
        message: null,
      });
    }
    if (!wasLost) return;
    this.d.notify("info", `Kite session of ${userId} started: entries allowed again`);
    this.d.regained();
  }
}
