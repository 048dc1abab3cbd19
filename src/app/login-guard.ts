import type { LoginOutcome } from "../adapters/kite/login-flow.js";
import { formatHhmm, type IsoDate, istPartsOf } from "../domain/ist.js";
import type { HealthCheck, LoginPort } from "../ports/app.js";
import type { Clock } from "../ports/clock.js";
import type { Notifier } from "../ports/notifier.js";

/*
 * What the service does with the outcome of a Kite callback. A failed login is told to the
 * trader (Telegram). A session of another Kite user than kite.user_id (refused by the
 * LoginFlow before anything was stored) means someone completed a login on this service with
 * their own account: it is told to the trader by Telegram, raised on the dashboard (an alert
 * now, and a critical line of /status for the rest of the day) and written to the audit log.
 */

export interface LoginGuardDeps {
  login: LoginPort;
  clock: Clock;
  notifier: Notifier;
  /** The audit log (store.audit fits). */
  audit: { record(actor: string, action: string, details?: Record<string, unknown>): unknown };
  /** The dashboard's alert (and the log). */
  alert: (level: "warning" | "critical", message: string) => void;
  /** kite.user_id. */
  expectedUserId: string;
}

/** The LoginPort the web server uses, and the line /status shows after a refusal. */
export class LoginGuard {
  private refused: { date: IsoDate; at: number; userId: string } | null = null;
  readonly port: LoginPort;

  constructor(private readonly d: LoginGuardDeps) {
    this.port = {
      start: () => d.login.start(),
      handleCallback: async (query) => {
        const outcome = await d.login.handleCallback(query);
        if (!outcome.ok) this.failed(outcome);
        return outcome;
      },
    };
  }

  /** /status lines: a refused session today is critical until the day ends. */
  checks(): HealthCheck[] {
    const r = this.refused;
    if (!r || r.date !== istPartsOf(this.d.clock.now()).date) return [];
    return [
      {
        name: "kite login",
        level: "critical",
        detail: `at ${formatHhmm(istPartsOf(r.at).minute)} IST a Kite session of ${r.userId} (not kite.user_id ${this.d.expectedUserId}) was refused: someone else completed a login on this service`,
      },
    ];
  }

  private failed(outcome: Extract<LoginOutcome, { ok: false }>): void {
    const at = this.d.clock.now();
    const date = istPartsOf(at).date;
    if (outcome.reason !== "foreign_user") {
      this.d.notifier.notify({
        kind: "login_result",
        date,
        at,
        ok: false,
        userId: null,
        message: outcome.message,
      });
      return;
    }
    const userId = outcome.refusedUserId ?? "(unknown)";
    this.refused = { date, at, userId };
    this.d.notifier.notify({
      kind: "login_refused",
      date,
      at,
      userId,
      expectedUserId: this.d.expectedUserId,
    });
    try {
      this.d.audit.record("kite_callback", "kite_session_refused", {
        userId,
        expectedUserId: this.d.expectedUserId,
      });
    } catch {
      // the audit log is best effort here: the refusal itself already happened
    }
    this.d.alert(
      "critical",
      `a Kite session of ${userId} was refused: it is not kite.user_id (${this.d.expectedUserId}); the session held is unchanged`,
    );
  }
}
