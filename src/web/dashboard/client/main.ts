/*
 * The dashboard's browser script: loads the session and the status, draws the page, keeps it
 * live over server-sent events (EventSource reconnects by itself; the page says when it is
 * disconnected), charts the selected contract and sends the trader's controls.
 */

import "./dashboard.css";
import type { StatusSnapshot } from "../../../ports/app.js";
import { DashboardApi, LOGIN_PAGE, SessionEnded } from "./api.js";
import { labelCellsFromHeadings } from "./card-table.js";
import { ContractChart } from "./chart.js";
import { updatedLabel } from "./clocks.js";
import { byId, fill } from "./dom.js";
import { renderExposures } from "./exposure-panel.js";
import { MODE_LABELS } from "./format.js";
import {
  applyLiveEvent,
  defaultSelection,
  LIVE_EVENT_TYPES,
  parseLiveEvent,
  type ShownAlert,
  withAlert,
} from "./live-state.js";
import {
  renderAlerts,
  renderControls,
  renderDay,
  renderHeader,
  renderHealth,
  renderMonth,
  renderPosition,
  renderReminders,
  renderSession,
  renderSignals,
  renderTrades,
  renderUniverse,
} from "./views.js";

/** The browser's clock: the only place this script reads the time. */
const now = (): number => Date.now();
/** Wait before opening a new event stream after the browser gave up on one. */
const RESTART_STREAM_MS = 5000;

type Connection = "connecting" | "live" | "reconnecting" | "offline";

class Dashboard {
  private readonly api = new DashboardApi();
  private status: StatusSnapshot | null = null;
  private alerts: ShownAlert[] = [];
  private nextAlertId = 1;
  private picked: string | null = null;
  private lastUpdateMs: number | null = null;
  /** When the last whole status was read (an exposure's age counts on from it). */
  private statusAtMs: number | null = null;
  private connection: Connection = "connecting";
  private busy = false;
  private renderPending = false;
  private candlesRequest = 0;
  private candlesStale = false;
  private readonly chart: ContractChart | null;

  constructor() {
    const lib = window.LightweightCharts;
    this.chart = lib ? new ContractChart(byId("chart"), lib) : null;
    if (!lib) fill(byId("chart-message"), "The chart library did not load: reload the page.");
  }

  async start(): Promise<void> {
    this.wireControls();
    this.wireSelection();
    setInterval(() => this.renderUpdated(), 1000);
    try {
      const session = await this.api.session();
      fill(byId("mode-title"), MODE_LABELS[session.mode]?.title ?? session.mode);
      this.setStatus(await this.api.status());
    } catch (e) {
      this.fail(e);
    }
    this.connect();
  }

  private connect(): void {
    const stream = new EventSource("/events");
    this.setConnection("connecting");
    stream.onopen = () => this.setConnection("live");
    stream.onerror = () => {
      this.candlesStale = true;
      if (stream.readyState !== EventSource.CLOSED) {
        this.setConnection("reconnecting");
        return;
      }
      // The browser gave up (the server answered with an error, e.g. after the session ended).
      this.setConnection("offline");
      stream.close();
      setTimeout(() => {
        this.api.session().then(
          () => this.connect(),
          (e) => {
            this.fail(e);
            if (!(e instanceof SessionEnded)) setTimeout(() => this.connect(), RESTART_STREAM_MS);
          },
        );
      }, RESTART_STREAM_MS);
    };
    for (const type of LIVE_EVENT_TYPES) {
      stream.addEventListener(type, (message) =>
        this.onMessage(type, (message as MessageEvent<string>).data),
      );
    }
  }

  private onMessage(type: string, data: string): void {
    const event = parseLiveEvent(type, data);
    if (!event) {
      console.warn(`dashboard: ignored a malformed "${type}" event`);
      return;
    }
    this.lastUpdateMs = now();
    if (this.connection !== "live") this.setConnection("live");
    if (event.type === "alert") {
      this.alerts = withAlert(this.alerts, {
        id: this.nextAlertId++,
        level: event.level,
        message: event.message,
        receivedAtMs: now(),
      });
      this.renderAlerts();
      return;
    }
    if (event.type === "status") {
      this.setStatus(event.status);
      return;
    }
    if (!this.status) return;
    this.status = applyLiveEvent(this.status, event);
    if (event.type === "candle" && event.symbol === this.chart?.symbol) this.chart.update(event.candle);
    if (event.type === "trade") this.chart?.refresh(this.status.trades, this.status.position);
    this.scheduleRender();
  }

  private setStatus(status: StatusSnapshot): void {
    const previousDate = this.status?.date;
    this.status = status;
    this.lastUpdateMs = now();
    this.statusAtMs = now();
    this.scheduleRender();
    const symbol = this.selected();
    if (symbol && (symbol !== this.chart?.symbol || this.candlesStale || previousDate !== status.date)) {
      void this.loadChart(symbol);
    } else {
      this.chart?.refresh(status.trades, status.position);
    }
  }

  /** The charted contract: the trader's pick while it is in today's universe, else the default. */
  private selected(): string | null {
    const s = this.status;
    if (!s) return null;
    if (this.picked && s.universe.contracts.some((c) => c.symbol === this.picked)) return this.picked;
    return defaultSelection(s);
  }

  private select(symbol: string): void {
    this.picked = symbol;
    this.scheduleRender();
    void this.loadChart(symbol);
    const card = byId("chart").closest("section");
    if (card && card.getBoundingClientRect().top < 0) card.scrollIntoView({ block: "start" });
  }

  private async loadChart(symbol: string): Promise<void> {
    if (!this.chart || !this.status) return;
    const request = ++this.candlesRequest;
    this.candlesStale = false;
    fill(byId("chart-symbol"), symbol);
    fill(byId("chart-message"), "Loading candles…");
    try {
      const candles = await this.api.candles(symbol);
      if (request !== this.candlesRequest || !this.status) return;
      const contract = this.status.universe.contracts.find((c) => c.symbol === symbol);
      this.chart.show({
        symbol,
        date: this.status.date,
        candles,
        pivots: contract?.pivots ?? null,
        trades: this.status.trades,
        position: this.status.position,
      });
      fill(byId("chart-message"), candles.length === 0 ? "No candle yet today." : "");
      fill(byId("chart-legend"), contract?.pivots ? "PP · R1–R5 · S1–S3 · IST" : "IST");
    } catch (e) {
      if (request === this.candlesRequest)
        fill(byId("chart-message"), `Candles unavailable: ${messageOf(e)}`);
      if (e instanceof SessionEnded) this.fail(e);
    }
  }

  private scheduleRender(): void {
    if (this.renderPending) return;
    this.renderPending = true;
    requestAnimationFrame(() => {
      this.renderPending = false;
      this.render();
    });
  }

  private render(): void {
    const s = this.status;
    if (!s) return;
    renderHeader(s);
    renderExposures(s, this.msSinceStatus());
    renderSession(s);
    renderPosition(s);
    renderDay(s);
    renderMonth(s);
    renderHealth(s);
    renderReminders(s);
    renderControls(s, this.busy);
    renderUniverse(s, this.selected());
    renderTrades(s);
    renderSignals(s);
    for (const id of ["trades", "signals"]) labelCellsFromHeadings(byId<HTMLTableElement>(id));
    this.renderUpdated();
  }

  private renderAlerts(): void {
    renderAlerts(this.alerts, (id) => {
      this.alerts = this.alerts.filter((a) => a.id !== id);
      this.renderAlerts();
    });
  }

  private setConnection(state: Connection): void {
    this.connection = state;
    const el = byId("connection");
    el.className = `pill conn-${state}`;
    fill(
      el,
      state === "live"
        ? "Connected"
        : state === "connecting"
          ? "Connecting…"
          : state === "reconnecting"
            ? "Disconnected, reconnecting…"
            : "Disconnected, retrying…",
    );
    const stale = state === "reconnecting" || state === "offline";
    document.body.classList.toggle("is-stale", stale);
    byId("stale-banner").hidden = !stale;
  }

  private renderUpdated(): void {
    const at = this.lastUpdateMs;
    fill(byId("updated"), at === null ? "" : updatedLabel(now() - at));
    // An exposure's "for" keeps counting between statuses.
    if (this.status && this.status.exposures.length > 0) renderExposures(this.status, this.msSinceStatus());
  }

  private msSinceStatus(): number {
    return this.statusAtMs === null ? 0 : now() - this.statusAtMs;
  }

  private wireSelection(): void {
    for (const id of ["universe", "trades", "signals"]) {
      const table = byId(id);
      const pick = (target: EventTarget | null) => {
        const row = (target as HTMLElement | null)?.closest?.("tr[data-symbol]") as HTMLElement | null;
        const symbol = row?.dataset.symbol;
        if (symbol) this.select(symbol);
      };
      table.addEventListener("click", (e) => pick(e.target));
      table.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          pick(e.target);
        }
      });
    }
  }

  private wireControls(): void {
    const confirmBox = byId("panic-confirm");
    const panicOpen = byId<HTMLButtonElement>("panic-open");
    byId("entries-toggle").addEventListener("click", () => {
      const enabled = this.status?.risk.entriesEnabled;
      if (enabled === undefined) return;
      void this.act(
        () => this.api.setEntries(!enabled),
        enabled ? "New entries disabled." : "New entries enabled.",
      );
    });
    byId<HTMLFormElement>("lots-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const text = byId<HTMLInputElement>("lots-input").value.trim();
      const lots = Number(text);
      const max = this.status?.risk.maxLots ?? 1;
      if (text === "" || !Number.isInteger(lots) || lots < 1 || lots > max) {
        this.message(`Lots must be a whole number from 1 to ${max}.`, true);
        return;
      }
      void this.act(() => this.api.setLots(lots), `Lots set to ${lots} from the next entry.`);
    });
    panicOpen.addEventListener("click", () => {
      confirmBox.hidden = false;
      panicOpen.hidden = true;
      byId("panic-confirm-no").focus();
    });
    const closeConfirm = () => {
      confirmBox.hidden = true;
      panicOpen.hidden = this.status?.risk.panic ?? false;
    };
    byId("panic-confirm-no").addEventListener("click", closeConfirm);
    byId("panic-confirm-yes").addEventListener("click", () => {
      closeConfirm();
      void this.act(() => this.api.panic(), "Panic sent: exiting everything, entries disabled.");
    });
    byId("panic-clear").addEventListener("click", () => {
      void this.act(
        () => this.api.clearPanic(),
        "Panic cleared. Entries stay disabled until you enable them.",
      );
    });
    byId("logout").addEventListener("click", () => {
      this.api.logout().then(
        () => window.location.assign(LOGIN_PAGE),
        () => window.location.assign(LOGIN_PAGE),
      );
    });
  }

  /** Runs a control call, says how it went and shows the engine's new state at once. */
  private async act(
    call: () => Promise<{ ok: true } | { ok: false; message: string }>,
    done: string,
  ): Promise<void> {
    this.busy = true;
    this.scheduleRender();
    try {
      const outcome = await call();
      this.message(outcome.ok ? done : `Refused: ${outcome.message}`, !outcome.ok);
      this.setStatus(await this.api.status());
    } catch (e) {
      this.fail(e);
      this.message(`Failed: ${messageOf(e)}`, true);
    } finally {
      this.busy = false;
      this.scheduleRender();
    }
  }

  private message(text: string, isError: boolean): void {
    const el = byId("control-message");
    el.className = `control-message ${isError ? "loss" : "gain"}`;
    fill(el, text);
  }

  private fail(e: unknown): void {
    if (e instanceof SessionEnded) {
      window.location.assign(LOGIN_PAGE);
      return;
    }
    console.error(e);
    fill(byId("chart-message"), `The server did not answer: ${messageOf(e)}`);
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

void new Dashboard().start();
