import { formatFigures } from "../backtest/text-summary.js";
import { textTable } from "../cli/text-table.js";
import { formatMetrics } from "./metrics-text.js";
import type { WalkForwardOutcome } from "./walkforward.js";

/** The readable walk-forward: one row a window, then the stitched out-of-sample run. */
export function formatWalkForwardText(o: WalkForwardOutcome): string {
  const out: string[] = [];
  const kind = o.anchored ? "anchored" : "rolling";
  out.push(
    `${kind} walk-forward: train ${o.train_days} day(s), test ${o.test_days} day(s), objective ${o.objective}` +
      (o.stopped ? ` — STOPPED after ${o.windows.length} window(s)` : ""),
  );
  const value = (x: number | null) => (x === null ? "-" : x);
  out.push(
    textTable(
      ["window", "train", "test", "settings", "IS obj", "IS net", "OOS obj", "OOS trades", "OOS net"],
      o.windows.map((w) => [
        w.window,
        `${w.train.from}..${w.train.to}`,
        `${w.test.from}..${w.test.to}`,
        Object.entries(w.settings)
          .map(([k, v]) => `${k}=${v}`)
          .join(" "),
        value(w.in_sample.objective),
        w.in_sample.net_pnl,
        value(w.out_of_sample.objective),
        w.out_of_sample.trades,
        w.out_of_sample.net_pnl,
      ]),
    ),
  );
  const s = o.out_of_sample.summary;
  out.push("");
  out.push(`Out of sample, stitched: ${s.from ?? "-"} to ${s.to ?? "-"}, ${s.days} day(s)`);
  out.push(formatFigures(s));
  out.push(formatMetrics(s));
  out.push("");
  out.push(
    `walk-forward efficiency: ${o.efficiency === null ? "- (not defined)" : o.efficiency} (out-of-sample ${o.objective} per day / in-sample ${o.objective} per day)`,
  );
  return `${out.join("\n")}\n`;
}
