import type { PaperOrder } from "./paper-order.js";
import type { PaperFill } from "./paper-positions.js";

/*
 * Where the paper broker writes its book, so that a restart finds it: every order at its
 * latest state and every fill, written before the update is told to anyone (a crash after
 * the write loses nothing; one before it loses an update no one has heard of). The SQLite
 * journal lives in the paper database (PaperOrdersRepository); tests may use none.
 */

/** One fill of a paper order. */
export interface JournalFill extends PaperFill {
  orderId: string;
  /** Epoch ms of the trade it matched. */
  atMs: number;
}

/** What the broker finds again at start-up. */
export interface JournalDay {
  /** The day's orders at their latest state, in placement order. */
  orders: PaperOrder[];
  /** The day's fills, in order. */
  fills: JournalFill[];
}

export interface PaperJournal {
  /** The orders and fills of an IST date. */
  loadDay(date: string): JournalDay;
  /** The last order id ever written (ids are never reused, across days), or null. */
  lastOrderId(): string | null;
  /** Writes an order's new state. */
  saveOrder(order: PaperOrder): void;
  /** Writes a fill and its order's new state, together. */
  saveFill(order: PaperOrder, fill: JournalFill): void;
}
