import { type IsoDate, istPartsOf } from "../domain/ist.js";
import type { HealthCheck } from "../ports/app.js";
import type { BrokerFailure } from "../ports/broker.js";
import type { Clock } from "../ports/clock.js";
import type { Notifier } from "../ports/notifier.js";
import type { StaticIpRule } from "../ports/static-ip.js";

/*
 * The static IP rule in live trading (KITE.md "Retail algo rules"): Kite refuses order
 * requests from an address not registered for the account. Before the market opens (the
 * 08:00 session check) this host's public address is compared with kite.static_ips and the
 * trader is told when it is not there. An order that Kite does refuse for its source address
 * stops new entries for the rest of the day (every next one would be refused too, and exits
 * need the trader's attention) and is alerted with the explanation.
 */

export interface StaticIpGuardDeps {
  /** kite.static_ips. */
  staticIps: readonly string[];
  /**
   * This host's public address as the internet sees it (the doctor's probe). Null: not compared
   * (against `pivot sim` on loopback the public address means nothing).
   */
  publicAddress: (() => Promise<string>) | null;
  /** The comparison and the words of its fix (ops/static-ip.ts `staticIpRule`). */
  rule: StaticIpRule;
  clock: Clock;
  notifier: Notifier;
  /** The log and the dashboard's alerts. */
  alert: (level: "warning" | "critical", message: string) => void;
}

/** Watches the static IP rule for the trading service; see the file comment. */
export class StaticIpGuard {
  private lastCheck: HealthCheck | null = null;
  private refusedOn: IsoDate | null = null;
  private refusal: string | null = null;

  constructor(private readonly d: StaticIpGuardDeps) {}

  /** The pre-market comparison; tells the trader when orders would be refused. Never rejects. */
  async checkBeforeOpen(date: IsoDate): Promise<HealthCheck> {
    if (!this.d.publicAddress) {
      return {
        name: "static ip",
        level: "skipped",
        detail: "not trading through Zerodha's API: not compared",
      };
    }
    const { check, address } = await this.d.rule.check(this.d.publicAddress, this.d.staticIps, true);
    this.lastCheck = check;
    if (check.level === "critical" || check.level === "warning") {
      this.d.alert(check.level, `static IP: ${check.detail}`);
      this.d.notifier.notify({
        kind: "static_ip",
        date,
        at: this.d.clock.now(),
        problem: "not_registered",
        address,
        message:
          check.level === "critical"
            ? `Kite will refuse today's orders: ${check.detail}`
            : `Could not verify that Kite will take today's orders: ${check.detail}`,
      });
    }
    return check;
  }

  /** Kite refused an order request for this server's address: no more entries today. */
  orderRefused(action: "place" | "modify" | "cancel", failure: BrokerFailure): void {
    const now = this.d.clock.now();
    const date = istPartsOf(now).date;
    const first = this.refusedOn !== date;
    this.refusedOn = date;
    this.refusal = `Kite refused an order request (${action}) from this server's address: "${failure.message}"`;
    if (!first) return; // said once a day; the entry gate stays shut
    const message = `${this.refusal}. No new entries today; check open positions and their stops at Kite. To fix: ${this.d.rule.fix}.`;
    this.d.alert("critical", message);
    this.d.notifier.notify({
      kind: "static_ip",
      date,
      at: now,
      problem: "order_refused",
      address: null,
      message,
    });
  }

  /** Why entries are refused now (an order refused today for its source address), or null. */
  entryBlock(): string | null {
    if (this.refusedOn === null || this.refusedOn !== istPartsOf(this.d.clock.now()).date) return null;
    return "Kite refuses orders from this server's address (static IP)";
  }

  /** /status lines: the pre-market comparison when it is not good, a refusal of today. */
  checks(): HealthCheck[] {
    const out: HealthCheck[] = [];
    const c = this.lastCheck;
    if (c && (c.level === "warning" || c.level === "critical")) out.push(c);
    if (this.entryBlock() && this.refusal) {
      out.push({
        name: "static ip refusal",
        level: "critical",
        detail: `${this.refusal}; ${this.d.rule.fix}`,
      });
    }
    return out;
  }
}
