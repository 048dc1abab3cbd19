/*
 * Rendering of the snapshot into the page's cards and tables. Each function redraws one part
 * from the data alone (no hidden state), with text nodes only.
 */

import type { StatusSnapshot } from "../../../ports/app.js";
import { marketClockLabel, UPTIME_LABEL } from "./clocks.js";
import { byId, facts, fill, h } from "./dom.js";
import {
  contractLabel,
  EXIT_REASON_LABELS,
  formatArchiveDays,
  formatDuration,
  formatPercent,
  formatPoints,
  formatPrice,
  formatRupees,
  formatWhole,
  istClock,
  istDateTime,
  labelOf,
  MODE_LABELS,
  PHASE_LABELS,
  SKIP_REASON_LABELS,
  signClass,
} from "./format.js";
import type { ShownAlert } from "./live-state.js";
import { type ShownPrice, tradeRow } from "./trade-figures.js";

const PIVOT_COLUMNS = ["PP", "R1", "R2", "R3", "R4", "R5", "S1", "S2", "S3"] as const;

/** The mode banner and the status bar. */
export function renderHeader(s: StatusSnapshot): void {
  const mode = MODE_LABELS[s.mode] ?? { title: s.mode, detail: "" };
  byId("mode-banner").className = `mode-banner mode-${String(s.mode).toLowerCase()}`;
  fill(byId("mode-title"), mode.title);
  fill(byId("mode-detail"), mode.detail);
  fill(byId("day-date"), s.date);
  fill(byId("market-time"), marketClockLabel(s.mode, s.now));
  const phase = byId("phase");
  phase.className = `pill phase-${String(s.phase).toLowerCase()}`;
  fill(phase, PHASE_LABELS[s.phase] ?? s.phase);
  const market = byId("market");
  market.className = `pill ${s.market.open ? "pill-ok" : "pill-muted"}`;
  market.hidden = s.phase === "MARKET_OPEN" && s.market.open; // the phase already says so
  fill(
    market,
    s.market.open
      ? "Market open"
      : s.market.nextOpen
        ? `Closed · opens ${istDateTime(s.market.nextOpen)}`
        : "Closed",
  );
  fill(byId("version"), `Pivot ${s.version}`);
  document.title = `${s.position ? `${formatRupees(s.position.pnlRupees)} · ` : ""}Pivot · ${mode.title}`;
}

/** The broker session and the ticker. */
export function renderSession(s: StatusSnapshot): void {
  const el = byId("session");
  const session = s.session.valid
    ? h("p", { class: "state state-ok" }, `Kite session valid · ${s.session.userId ?? ""}`)
    : h("p", { class: "state state-bad" }, "Not logged in to Kite: no trading until you log in");
  const login = s.session.valid
    ? null
    : h("a", { class: "btn btn-primary", attrs: { href: "/login", id: "kite-login" } }, "Log in with Kite");
  const tickAge =
    s.ticker.lastTickAgeMs === null ? "no tick yet" : `${(s.ticker.lastTickAgeMs / 1000).toFixed(1)} s ago`;
  fill(
    el,
    session,
    login,
    facts([
      ["Valid until", istDateTime(s.session.expiresAt)],
      ["Ticker", s.ticker.connected ? "connected" : "disconnected", s.ticker.connected ? "ok" : "bad"],
      ["Last tick", tickAge],
      ["Subscriptions", formatWhole(s.ticker.subscriptions)],
    ]),
  );
}

/** The open position with its live P&L. */
export function renderPosition(s: StatusSnapshot): void {
  const el = byId("position");
  const p = s.position;
  if (!p) {
    fill(el, h("p", { class: "empty" }, "Flat: no open position."));
    return;
  }
  const meter = h("meter", {
    attrs: {
      min: String(p.stopLoss),
      max: String(p.target),
      value: String(p.ltp ?? p.entryPrice),
      low: String(p.entryPrice),
      optimum: String(p.target),
      "aria-label": "Price between stop and target",
    },
  });
  fill(
    el,
    h(
      "div",
      { class: "position-head" },
      h("span", { class: "symbol" }, p.symbol),
      h("span", { class: `pill pill-${p.state === "OPEN" ? "ok" : "warn"}` }, p.state),
    ),
    h(
      "div",
      { class: `pnl-big ${signClass(p.pnlRupees)}`, attrs: { id: "position-pnl" } },
      formatRupees(p.pnlRupees),
    ),
    h(
      "div",
      { class: `muted ${signClass(p.pnlPoints)}` },
      `${formatPoints(p.pnlPoints)} points × ${p.quantity}`,
    ),
    h(
      "div",
      { class: "meter-row" },
      h("span", { class: "loss" }, `Stop ${formatPrice(p.stopLoss)}`),
      meter,
      h("span", { class: "gain" }, `Target ${formatPrice(p.target)}`),
    ),
    facts([
      ["LTP", formatPrice(p.ltp)],
      [
        "Entry",
        p.modelEntryPrice === null || p.modelEntryPrice === p.entryPrice
          ? formatPrice(p.entryPrice)
          : `${formatPrice(p.entryPrice)} (model ${formatPrice(p.modelEntryPrice)})`,
      ],
      ["Quantity", formatWhole(p.quantity)],
      ["Trade", p.tradeId],
      [
        "Protective stop",
        p.stopResting ? "resting at the broker" : "NOT at the broker",
        p.stopResting ? "ok" : "bad",
      ],
    ]),
  );
}

/** Today's P&L and risk state. */
export function renderDay(s: StatusSnapshot): void {
  const r = s.risk;
  const open = s.position?.pnlRupees ?? null;
  fill(
    byId("day-summary"),
    h("div", { class: `pnl-big ${signClass(s.pnl.net)}` }, formatRupees(s.pnl.net)),
    h("div", { class: "muted" }, "net realised today"),
    facts([
      ["Open position", open === null ? "none" : formatRupees(open), signClass(open)],
      ["With the open position", formatRupees(s.pnl.net + (open ?? 0)), signClass(s.pnl.net + (open ?? 0))],
      ["Gross realised", formatRupees(s.pnl.gross), signClass(s.pnl.gross)],
      ["Charges", formatRupees(s.pnl.charges, false)],
      ["Slippage (fills − model)", formatRupees(s.pnl.slippage), signClass(s.pnl.slippage)],
      ["Trades", `${r.tradesToday} of ${r.maxTradesPerDay}`],
      ["Stop losses", String(r.stopLossesToday)],
      ["Loss / limit", `₹${formatWhole(r.lossToday)} / ₹${formatWhole(r.maxDailyLoss)}`],
      ["Lots", `${r.lots} (max ${r.maxLots})`],
    ]),
  );
}

/** The month so far. */
export function renderMonth(s: StatusSnapshot): void {
  const m = s.month;
  fill(
    byId("month-summary"),
    facts([
      ["Month", m.month],
      ["Trades", formatWhole(m.trades)],
      ["Gross", formatRupees(m.gross), signClass(m.gross)],
      ["Net", formatRupees(m.net), signClass(m.net)],
      ["Slippage", formatRupees(m.slippage), signClass(m.slippage)],
      ["Win rate", formatPercent(m.winRate)],
    ]),
  );
}

/** Health checks and process figures. */
export function renderHealth(s: StatusSnapshot): void {
  const list = h("ul", { class: "checks" });
  for (const c of s.health.checks) {
    list.append(
      h(
        "li",
        null,
        h("span", { class: `badge level-${c.level}` }, c.level),
        h("strong", null, c.name),
        h("span", { class: "muted" }, c.detail),
      ),
    );
  }
  fill(
    byId("health"),
    list,
    facts([
      [UPTIME_LABEL, formatDuration(s.health.uptimeS)],
      ["CPU", s.health.cpuPct === null ? "—" : `${s.health.cpuPct.toFixed(1)}%`],
      ["Memory", `${Math.round(s.health.rssMb)} MB`],
      ["Archive", formatArchiveDays(s.archiveDays)],
    ]),
  );
}

/** Reminders and the Telegram backlog. */
export function renderReminders(s: StatusSnapshot): void {
  const items = s.reminders.map((r) => h("li", null, r));
  fill(
    byId("reminders"),
    items.length > 0
      ? h("ul", { class: "reminders" }, ...items)
      : h("p", { class: "empty" }, "Nothing to act on."),
    facts([
      [
        "Telegram backlog",
        s.outboxBacklog === 0
          ? "none"
          : `${s.outboxBacklog} message${s.outboxBacklog === 1 ? "" : "s"} waiting`,
        s.outboxBacklog > 0 ? "warn" : "ok",
      ],
    ]),
  );
}

/** The control card's state (the buttons' labels follow the engine, not the click). */
export function renderControls(s: StatusSnapshot, busy: boolean): void {
  const r = s.risk;
  const entries = byId("entries-state");
  entries.className = `state ${r.entriesEnabled ? "state-ok" : "state-bad"}`;
  fill(entries, r.entriesEnabled ? "Enabled" : "Disabled");
  const toggle = byId<HTMLButtonElement>("entries-toggle");
  fill(toggle, r.entriesEnabled ? "Disable entries" : "Enable entries");
  toggle.className = `btn ${r.entriesEnabled ? "btn-warn" : "btn-primary"}`;
  toggle.disabled = busy || (r.panic && !r.entriesEnabled);
  const panicState = byId("panic-state");
  panicState.className = `state ${r.panic ? "state-bad" : "state-ok"}`;
  fill(panicState, r.panic ? "PANIC: everything exited, entries off" : "Not engaged");
  byId("panic-open").hidden = r.panic;
  byId("panic-clear").hidden = !r.panic;
  byId<HTMLButtonElement>("panic-open").disabled = busy;
  byId<HTMLButtonElement>("panic-clear").disabled = busy;
  byId<HTMLButtonElement>("lots-set").disabled = busy;
  const input = byId<HTMLInputElement>("lots-input");
  input.max = String(r.maxLots);
  // Never overwrite what the trader is typing.
  if (document.activeElement !== input) input.value = String(r.lots);
  fill(byId("lots-hint"), `1 to ${r.maxLots}, from the next entry (now ${r.lots})`);
}

/** The universe table; the selected row is marked and every row selects its contract. */
export function renderUniverse(s: StatusSnapshot, selected: string | null): void {
  const u = s.universe;
  fill(
    byId("universe-meta"),
    u.contracts.length === 0
      ? "not built yet"
      : `${u.underlying} ${formatPrice(u.spot)} · ATM ${formatWhole(u.atm)} · expiry ${u.expiry ?? "—"}`,
  );
  const tbody = byId("universe").querySelector("tbody") as HTMLTableSectionElement;
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.symbol ?? null;
  const rows: HTMLTableRowElement[] = [];
  for (const c of u.contracts) {
    const p = c.pivots;
    const above = p && c.ltp !== null ? c.ltp > p.R1 : false;
    const cls = [
      "selectable",
      c.symbol === selected ? "selected" : "",
      c.strike === u.atm ? "atm" : "",
      s.position?.symbol === c.symbol ? "held" : "",
    ]
      .filter(Boolean)
      .join(" ");
    const row = h(
      "tr",
      {
        class: cls,
        title: c.symbol,
        attrs: { tabindex: "0", "aria-selected": String(c.symbol === selected), "data-symbol": c.symbol },
      },
      h("td", { class: "num strong sticky-col" }, formatWhole(c.strike)),
      h("td", { class: c.optionType === "CE" ? "ce" : "pe" }, c.optionType),
      h("td", { class: `num strong ${above ? "above" : ""}` }, formatPrice(c.ltp)),
      h(
        "td",
        null,
        c.structure
          ? h("span", { class: `badge structure-${c.structure.toLowerCase()}` }, c.structure)
          : h("span", { class: "muted" }, "—"),
      ),
      ...PIVOT_COLUMNS.map((k) => h("td", { class: `num lvl-${k[0]}` }, formatPrice(p ? p[k] : null))),
    );
    rows.push(row);
  }
  if (rows.length === 0) {
    rows.push(
      h("tr", null, h("td", { class: "empty", attrs: { colspan: "13" } }, "The universe is built at 08:45.")),
    );
  }
  tbody.replaceChildren(...rows);
  if (focused)
    (tbody.querySelector(`tr[data-symbol="${CSS.escape(focused)}"]`) as HTMLElement | null)?.focus();
}

/** Today's trades, oldest first. */
export function renderTrades(s: StatusSnapshot): void {
  const tbody = byId("trades").querySelector("tbody") as HTMLTableSectionElement;
  const rows = s.trades.map((t) => {
    const closed = t.status === "CLOSED";
    const figures = tradeRow(t);
    const net = closed ? figures.net : t.trade_id === s.position?.tradeId ? s.position.pnlRupees : null;
    const slip = figures.slippage;
    return h(
      "tr",
      { class: "selectable", attrs: { tabindex: "0", "data-symbol": t.symbol } },
      h("td", { class: "sticky-col" }, istClock(t.entry_time)),
      h("td", { title: t.symbol }, contractLabel(s, t.symbol)),
      h(
        "td",
        { class: `num strong ${signClass(net)}` },
        closed ? formatRupees(net) : net === null ? "open" : `${formatRupees(net)} open`,
      ),
      priceCell(figures.entry),
      h("td", null, closed ? istClock(t.exit_time) : "—"),
      figures.exit ? priceCell(figures.exit) : h("td", { class: "num" }, "—"),
      h("td", null, closed ? labelOf(EXIT_REASON_LABELS, t.exit_reason) : "open"),
      h(
        "td",
        {
          class: `num ${signClass(slip.rupees)}`,
          attrs: {
            title: `a unit: entry ${formatPoints(slip.entryPerUnit)}, exit ${formatPoints(slip.exitPerUnit)}`,
          },
        },
        slip.rupees === null ? "—" : formatRupees(slip.rupees),
      ),
      h("td", { class: "num" }, formatPrice(t.stop_loss)),
      h("td", { class: "num" }, formatPrice(t.target)),
      h("td", { class: "muted" }, t.trade_id),
    );
  });
  if (rows.length === 0)
    rows.push(h("tr", null, h("td", { class: "empty", attrs: { colspan: "11" } }, "No trade today.")));
  tbody.replaceChildren(...rows);
}

/** A price as the broker filled it, with the strategy's model price beside it when they differ. */
function priceCell(p: ShownPrice): HTMLElement {
  if (p.model === null) return h("td", { class: "num" }, formatPrice(p.price));
  return h(
    "td",
    { class: "num", attrs: { title: "filled (the strategy's model price below)" } },
    formatPrice(p.price),
    h("div", { class: "muted" }, `model ${formatPrice(p.model)}`),
  );
}

/** Today's signals, newest first, with why each was or was not taken. */
export function renderSignals(s: StatusSnapshot): void {
  const tbody = byId("signals").querySelector("tbody") as HTMLTableSectionElement;
  const rows = [...s.signals].reverse().map((x) => {
    const why =
      x.action === "TAKEN"
        ? `trade ${x.trade_id ?? ""}${x.detail ? ` (${x.detail})` : ""}`
        : [labelOf(SKIP_REASON_LABELS, x.reason), x.detail].filter(Boolean).join(": ");
    return h(
      "tr",
      { class: "selectable", attrs: { tabindex: "0", "data-symbol": x.symbol } },
      h("td", { class: "sticky-col" }, istClock(x.time)),
      h("td", { title: x.symbol }, contractLabel(s, x.symbol)),
      h("td", null, h("span", { class: `badge action-${x.action.toLowerCase()}` }, x.action)),
      h("td", { class: "why" }, why),
      h("td", { class: "num" }, formatPrice(x.close)),
      h("td", { class: "num" }, `${x.size.toFixed(2)}% / ${x.threshold.toFixed(2)}%`),
      h("td", { class: "num" }, String(x.scenario)),
    );
  });
  if (rows.length === 0)
    rows.push(h("tr", null, h("td", { class: "empty", attrs: { colspan: "7" } }, "No signal today.")));
  tbody.replaceChildren(...rows);
}

/** The alerts pushed by the engine (newest first); each can be dismissed. */
export function renderAlerts(alerts: readonly ShownAlert[], dismiss: (id: number) => void): void {
  const items = alerts.map((a) => {
    const close = h(
      "button",
      { class: "btn btn-quiet close", attrs: { type: "button", "aria-label": "Dismiss" } },
      "×",
    );
    close.addEventListener("click", () => dismiss(a.id));
    return h(
      "div",
      { class: `alert alert-${a.level}`, attrs: { role: a.level === "critical" ? "alert" : "status" } },
      h("span", { class: "alert-text" }, a.message),
      close,
    );
  });
  fill(byId("alerts"), ...items);
}
