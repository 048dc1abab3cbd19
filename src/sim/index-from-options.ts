/**
 * An index path from its options, for data sets that hold a day's option contracts but not
 * the index itself (the real data of 4-5 September 2025). Put-call parity without rates:
 * spot ≈ strike + call - put, taken at each candle from the strike whose call and put are
 * closest in price (the one nearest the money, where parity holds best).
 */
import type { CandleSeries } from "../domain/candle-series.js";
import { CandleSeriesBuilder } from "../domain/candle-series.js";
import type { IsoDate } from "../domain/ist.js";
import { parseOptionSymbol } from "../domain/symbols.js";

interface Pair {
  strike: number;
  ce: CandleSeries;
  pe: CandleSeries;
  ceAt: Map<number, number>;
  peAt: Map<number, number>;
}

/** The underlying's candles derived from the day's CE/PE pairs of its nearest expiry; null without a pair. */
export function deriveIndexSeries(
  symbols: ReadonlyMap<string, CandleSeries>,
  underlying: string,
  date: IsoDate,
): CandleSeries | null {
  const byExpiry = new Map<string, Map<number, { ce?: CandleSeries; pe?: CandleSeries }>>();
  for (const [symbol, series] of symbols) {
    const o = parseOptionSymbol(symbol);
    if (!o || o.underlying !== underlying || !o.expiry || o.expiry < date) continue;
    let strikes = byExpiry.get(o.expiry);
    if (!strikes) {
      strikes = new Map();
      byExpiry.set(o.expiry, strikes);
    }
    const entry = strikes.get(o.strike) ?? {};
    if (o.optionType === "CE") entry.ce = series;
    else entry.pe = series;
    strikes.set(o.strike, entry);
  }
  const nearest = [...byExpiry.keys()].sort()[0];
  if (!nearest) return null;
  const pairs: Pair[] = [];
  for (const [strike, { ce, pe }] of byExpiry.get(nearest) ?? []) {
    if (ce && pe) pairs.push({ strike, ce, pe, ceAt: startIndex(ce), peAt: startIndex(pe) });
  }
  if (pairs.length === 0) return null;

  const starts = new Set<number>();
  for (const p of pairs) for (const s of p.ceAt.keys()) if (p.peAt.has(s)) starts.add(s);
  const builder = new CandleSeriesBuilder(starts.size);
  for (const start of [...starts].sort((a, b) => a - b)) {
    let best: { pair: Pair; ci: number; pi: number } | null = null;
    let bestGap = Number.POSITIVE_INFINITY;
    for (const pair of pairs) {
      const ci = pair.ceAt.get(start);
      const pi = pair.peAt.get(start);
      if (ci === undefined || pi === undefined) continue;
      const gap = Math.abs(pair.ce.openAt(ci) - pair.pe.openAt(pi));
      if (gap < bestGap) {
        bestGap = gap;
        best = { pair, ci, pi };
      }
    }
    if (!best) continue;
    const ce = best.pair.ce.at(best.ci);
    const pe = best.pair.pe.at(best.pi);
    const open = round2(best.pair.strike + ce.open - pe.open);
    const close = round2(best.pair.strike + ce.close - pe.close);
    builder.push(start, open, Math.max(open, close), Math.min(open, close), close, 0);
  }
  return builder.length > 0 ? builder.build() : null;
}

function startIndex(series: CandleSeries): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < series.length; i++) m.set(series.startAt(i), i);
  return m;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
