/*
 * What the dashboard knows, and how each live event changes it: pure functions, so that the
 * browser script only renders and the rules are unit-tested in Node. A `status` event replaces
 * everything; the small events (tick, signal, trade, candle) patch the last snapshot until the
 * next status arrives.
 */

import type { SignalRecord, StoredTrade } from "../../../domain/trade.js";
import type { LiveEvent, StatusSnapshot } from "../../../ports/app.js";

/** The live event types the server sends (the SSE `event:` names). */
export const LIVE_EVENT_TYPES = ["status", "candle", "tick", "signal", "trade", "alert"] as const;

/** An alert as the page lists it. */
export interface ShownAlert {
  id: number;
  level: "info" | "warning" | "critical";
  message: string;
  receivedAtMs: number;
}

/** How many alerts the page keeps (the newest). */
export const MAX_ALERTS = 5;

/** Applies one event to the snapshot; returns the same object when nothing changed. */
export function applyLiveEvent(status: StatusSnapshot, event: LiveEvent): StatusSnapshot {
  switch (event.type) {
    case "status":
      return event.status;
    case "tick":
      return withLastPrice(status, event.symbol, event.ltp);
    case "candle":
      return withLastPrice(status, event.symbol, event.candle.close);
    case "signal":
      return withSignal(status, event.signal);
    case "trade":
      return withTrade(status, event.trade);
    case "alert":
      return status;
  }
}

function withLastPrice(status: StatusSnapshot, symbol: string, ltp: number): StatusSnapshot {
  if (!Number.isFinite(ltp)) return status;
  const known = status.universe.contracts.some((c) => c.symbol === symbol);
  const p = status.position;
  const ofPosition = p !== null && p.symbol === symbol;
  if (!known && !ofPosition) return status;
  return {
    ...status,
    universe: {
      ...status.universe,
      contracts: status.universe.contracts.map((c) => (c.symbol === symbol ? { ...c, ltp } : c)),
    },
    position:
      p && ofPosition
        ? {
            ...p,
            ltp,
            pnlPoints: round2(ltp - p.entryPrice),
            pnlRupees: round2((ltp - p.entryPrice) * p.quantity),
          }
        : p,
  };
}

function signalKey(s: SignalRecord): string {
  return `${s.time}|${s.symbol}`;
}

function withSignal(status: StatusSnapshot, signal: SignalRecord): StatusSnapshot {
  const key = signalKey(signal);
  const others = status.signals.filter((s) => signalKey(s) !== key);
  const signals = [...others, signal].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  return { ...status, signals };
}

function withTrade(status: StatusSnapshot, trade: StoredTrade): StatusSnapshot {
  const i = status.trades.findIndex((t) => t.trade_id === trade.trade_id);
  const trades = i < 0 ? [...status.trades, trade] : status.trades.map((t, j) => (j === i ? trade : t));
  const closedPosition =
    trade.status === "CLOSED" && status.position !== null && status.position.tradeId === trade.trade_id;
  return { ...status, trades, position: closedPosition ? null : status.position };
}

/** Adds an alert at the top, keeping the newest MAX_ALERTS. */
export function withAlert(alerts: readonly ShownAlert[], alert: ShownAlert): ShownAlert[] {
  return [alert, ...alerts].slice(0, MAX_ALERTS);
}

/**
 * Reads one SSE message into a live event, or null when it is not one (bad JSON, or a type
 * other than the event's name): a malformed message is dropped, never half-applied.
 */
export function parseLiveEvent(eventName: string, data: string): LiveEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const e = value as Record<string, unknown>;
  if (e.type !== eventName) return null;
  switch (eventName) {
    case "status":
      return isObject(e.status) && isObject((e.status as Record<string, unknown>).risk)
        ? (value as LiveEvent)
        : null;
    case "tick":
      return typeof e.symbol === "string" && typeof e.ltp === "number" ? (value as LiveEvent) : null;
    case "candle":
      return typeof e.symbol === "string" && isObject(e.candle) ? (value as LiveEvent) : null;
    case "signal":
      return isObject(e.signal) ? (value as LiveEvent) : null;
    case "trade":
      return isObject(e.trade) ? (value as LiveEvent) : null;
    case "alert":
      return typeof e.message === "string" && ["info", "warning", "critical"].includes(e.level as string)
        ? (value as LiveEvent)
        : null;
    default:
      return null;
  }
}

/**
 * The contract the chart shows when the trader has not picked one: the open position's, else
 * the last trade's, else the at-the-money call, else the first contract.
 */
export function defaultSelection(status: StatusSnapshot): string | null {
  if (status.position) return status.position.symbol;
  const last = status.trades[status.trades.length - 1];
  if (last) return last.symbol;
  const contracts = status.universe.contracts;
  const atmCall = contracts.find((c) => c.strike === status.universe.atm && c.optionType === "CE");
  return atmCall?.symbol ?? contracts[0]?.symbol ?? null;
}

function isObject(v: unknown): boolean {
  return typeof v === "object" && v !== null;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
