/**
 * `GET /user/margins[/:segment]` (kite-mocks margins.json): an equity segment that starts the
 * day with `openingBalance` cash and moves with option premium paid, open buy orders and P&L;
 * a commodity segment that stays empty.
 */
import type { PositionRow } from "./positions.js";

const r2 = (n: number) => Math.round(n * 100) / 100;

export interface MarginFigures {
  openingBalance: number;
  /** Premium held in open long positions. */
  optionPremium: number;
  /** Value blocked by open BUY orders. */
  blockedByOrders: number;
  realised: number;
  unrealised: number;
}

/** The figures from the positions and the open buy orders' value. */
export function marginFigures(
  openingBalance: number,
  positions: readonly PositionRow[],
  blockedByOrders: number,
): MarginFigures {
  let optionPremium = 0;
  let unrealised = 0;
  let total = 0;
  for (const p of positions) {
    const quantity = p.quantity;
    const last = Number(p.last_price);
    if (quantity > 0) optionPremium += quantity * p.average_price;
    if (quantity !== 0) unrealised += quantity * (last - p.average_price);
    total += p.pnl;
  }
  return {
    openingBalance,
    optionPremium: r2(optionPremium),
    blockedByOrders: r2(blockedByOrders),
    realised: r2(total - unrealised),
    unrealised: r2(unrealised),
  };
}

/** Cash available for new buy orders. */
export function availableCash(f: MarginFigures): number {
  return r2(f.openingBalance - f.optionPremium - f.blockedByOrders + f.realised);
}

/** One segment's margins as Kite writes them. */
export function segmentMargins(f: MarginFigures | null) {
  const cash = f?.openingBalance ?? 0;
  const net = f ? availableCash(f) : 0;
  return {
    enabled: true,
    net,
    available: {
      adhoc_margin: 0,
      cash,
      opening_balance: cash,
      live_balance: net,
      collateral: 0,
      intraday_payin: 0,
    },
    utilised: {
      debits: r2(cash - net),
      exposure: 0,
      m2m_realised: f?.realised ?? 0,
      m2m_unrealised: f?.unrealised ?? 0,
      option_premium: f ? r2(f.optionPremium + f.blockedByOrders) : 0,
      payout: 0,
      span: 0,
      holding_sales: 0,
      turnover: 0,
      liquid_collateral: 0,
      stock_collateral: 0,
      delivery: 0,
    },
  };
}
