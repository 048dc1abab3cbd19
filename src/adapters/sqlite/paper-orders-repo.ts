import type { Statement, Transaction } from "better-sqlite3";
import type { JournalDay, JournalFill, PaperJournal } from "../paper/paper-journal.js";
import type { PaperOrder } from "../paper/paper-order.js";
import type { Db } from "./database.js";
import { fromFlag, toFlag } from "./sql-values.js";

/** The paper broker's book in the paper database (tables of migration v4). */
export class PaperOrdersRepository implements PaperJournal {
  private readonly upsertOrder: Statement;
  private readonly insertFill: Statement;
  private readonly ordersOfDay: Statement;
  private readonly fillsOfDay: Statement;
  private readonly lastId: Statement;
  private readonly fillTx: Transaction<(order: PaperOrder, fill: JournalFill) => void>;

  constructor(db: Db) {
    this.upsertOrder = db.prepare(
      `INSERT INTO paper_orders (order_id, date, tag, exchange, tradingsymbol, side, type, product, quantity,
         price, trigger_price, market_protection, status, status_message, filled_quantity, average_price,
         fill_value, armed_after_ms, order_timestamp, updated_at, triggered, protection_limit,
         protection_fixed, arriving)
       VALUES (@orderId, @date, @tag, @exchange, @tradingsymbol, @side, @type, @product, @quantity,
         @price, @triggerPrice, @marketProtection, @status, @statusMessage, @filledQuantity, @averagePrice,
         @fillValue, @armedAfterMs, @orderTimestamp, @updatedAt, @triggered, @protectionLimit,
         @protectionFixed, @arriving)
       ON CONFLICT (order_id) DO UPDATE SET type = excluded.type, quantity = excluded.quantity,
         price = excluded.price, trigger_price = excluded.trigger_price,
         market_protection = excluded.market_protection, status = excluded.status,
         status_message = excluded.status_message, filled_quantity = excluded.filled_quantity,
         average_price = excluded.average_price, fill_value = excluded.fill_value,
         armed_after_ms = excluded.armed_after_ms, order_timestamp = excluded.order_timestamp,
         updated_at = excluded.updated_at, triggered = excluded.triggered,
         protection_limit = excluded.protection_limit, protection_fixed = excluded.protection_fixed,
         arriving = excluded.arriving`,
    );
    this.insertFill = db.prepare(
      `INSERT INTO paper_fills (order_id, date, exchange, tradingsymbol, product, side, quantity, price, at_ms)
       VALUES (@orderId, @date, @exchange, @tradingsymbol, @product, @side, @quantity, @price, @atMs)`,
    );
    this.ordersOfDay = db.prepare("SELECT * FROM paper_orders WHERE date = ? ORDER BY rowid");
    this.fillsOfDay = db.prepare("SELECT * FROM paper_fills WHERE date = ? ORDER BY id");
    this.lastId = db.prepare("SELECT order_id FROM paper_orders ORDER BY rowid DESC LIMIT 1").pluck();
    this.fillTx = db.transaction((order: PaperOrder, fill: JournalFill) => {
      this.saveOrder(order);
      this.insertFill.run({ ...fill, date: order.date });
    });
  }

  loadDay(date: string): JournalDay {
    const orders = (this.ordersOfDay.all(date) as Record<string, unknown>[]).map(toOrder);
    const fills = (this.fillsOfDay.all(date) as Record<string, unknown>[]).map(toFill);
    return { orders, fills };
  }

  lastOrderId(): string | null {
    return (this.lastId.get() as string | undefined) ?? null;
  }

  saveOrder(order: PaperOrder): void {
    this.upsertOrder.run({
      ...order,
      triggered: toFlag(order.triggered),
      arriving: toFlag(order.arriving),
      protectionLimit: order.protectionLimit ?? null,
      protectionFixed: toFlag(order.protectionLimit !== undefined),
    });
  }

  saveFill(order: PaperOrder, fill: JournalFill): void {
    this.fillTx(order, fill);
  }
}

function toOrder(r: Record<string, unknown>): PaperOrder {
  const limit = r.protection_limit as number | null;
  return {
    orderId: r.order_id as string,
    date: r.date as string,
    tag: r.tag as string,
    exchange: r.exchange as PaperOrder["exchange"],
    tradingsymbol: r.tradingsymbol as string,
    side: r.side as PaperOrder["side"],
    type: r.type as PaperOrder["type"],
    product: r.product as PaperOrder["product"],
    quantity: r.quantity as number,
    price: r.price as number,
    triggerPrice: r.trigger_price as number,
    marketProtection: r.market_protection as number,
    status: r.status as PaperOrder["status"],
    statusMessage: (r.status_message as string | null) ?? null,
    filledQuantity: r.filled_quantity as number,
    averagePrice: r.average_price as number,
    fillValue: r.fill_value as number,
    armedAfterMs: r.armed_after_ms as number,
    orderTimestamp: r.order_timestamp as string,
    updatedAt: r.updated_at as string,
    triggered: fromFlag(r.triggered),
    protectionLimit: fromFlag(r.protection_fixed) ? limit : undefined,
    arriving: fromFlag(r.arriving),
  };
}

function toFill(r: Record<string, unknown>): JournalFill {
  return {
    orderId: r.order_id as string,
    exchange: r.exchange as string,
    tradingsymbol: r.tradingsymbol as string,
    product: r.product as JournalFill["product"],
    side: r.side as JournalFill["side"],
    quantity: r.quantity as number,
    price: r.price as number,
    atMs: r.at_ms as number,
  };
}
