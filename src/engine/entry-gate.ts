/*
 * The entry gate: whether the day may enter new positions now, and why not (the service
 * stopping, panic, entries disabled by the operator, the broker session lost, the static IP
 * rule). The operator's control state is applied here too: panic exits everything once, and
 * its release lets the order manager enter again.
 */

import type { Store } from "../ports/store.js";
import type { LiveDay } from "./live-day.js";
import type { OrderManager } from "./order-manager.js";
import type { StaticIpGuard } from "./static-ip-guard.js";

export interface EntryGateDeps {
  store: Pick<Store, "control">;
  staticIp?: Pick<StaticIpGuard, "entryBlock"> | undefined;
  stopping: () => boolean;
  sessionLost: () => boolean;
  /** The day in progress (null outside market hours). */
  day: () => LiveDay | null;
  orderManager: Pick<OrderManager, "panic" | "resumeEntries">;
  /** Work in flight that the service waits for (and whose failure it reports). */
  track: (work: Promise<unknown>) => void;
}

/** See the file comment. */
export class EntryGate {
  private panicHandled = false;

  constructor(private readonly d: EntryGateDeps) {}

  /** The reason new entries are refused now, or null when they are allowed. */
  block(): string | null {
    if (this.d.stopping()) return "the service is stopping";
    const ctl = this.d.store.control.read();
    if (ctl.panic) return "panic";
    if (!ctl.entriesEnabled) return "entries disabled by the operator";
    if (this.d.sessionLost()) return "the broker session expired";
    return this.d.staticIp?.entryBlock() ?? null;
  }

  /** The day's strategy takes entries or not, as the gate says now. */
  apply(): void {
    const block = this.block();
    this.d.day()?.setEntriesEnabled(block === null, block ?? undefined);
  }

  /** Applies the operator's control state (panic and its release), then the gate. */
  applyControl(): void {
    const panic = this.d.store.control.panic();
    if (panic && !this.panicHandled) {
      this.panicHandled = true;
      this.d.track(this.d.orderManager.panic());
    } else if (!panic && this.panicHandled) {
      this.panicHandled = false;
      this.d.orderManager.resumeEntries();
    }
    this.apply();
  }
}
