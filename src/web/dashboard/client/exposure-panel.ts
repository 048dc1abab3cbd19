/*
 * The never-naked warning panel: shown above everything while a quantity is held at the broker
 * without a resting stop or exit (the status's `exposures`), hidden when there is none. Redrawn
 * with every status and every second (its "for" column keeps counting between statuses).
 */

import type { StatusSnapshot } from "../../../ports/app.js";
import { labelCellsFromHeadings } from "./card-table.js";
import { byId, fill, h } from "./dom.js";
import { exposureRows } from "./exposure-rows.js";

/** Draws the panel; `msSinceStatus`: real time since the status was read. */
export function renderExposures(s: StatusSnapshot, msSinceStatus: number): void {
  const panel = byId("exposures");
  const rows = exposureRows(s, msSinceStatus);
  panel.hidden = rows.length === 0;
  fill(
    byId("exposures-count"),
    rows.length === 0 ? "" : `· ${rows.length} position${rows.length === 1 ? "" : "s"}`,
  );
  const table = byId<HTMLTableElement>("exposures-table");
  (table.tBodies[0] as HTMLTableSectionElement).replaceChildren(
    ...rows.map((r) =>
      h(
        "tr",
        { attrs: { "data-trade": r.tradeId } },
        // One inline span: the phone's card layout makes each child of a cell a column.
        h(
          "td",
          { class: "strong" },
          h(
            "span",
            null,
            r.contract,
            r.contract === r.symbol ? null : h("span", { class: "muted" }, ` ${r.symbol}`),
          ),
        ),
        h("td", { class: "num" }, r.held),
        h("td", { class: "num strong" }, r.uncovered),
        h("td", null, r.since),
        h("td", { class: "num strong" }, r.forHow),
        h("td", { class: "muted" }, r.tradeId),
      ),
    ),
  );
  labelCellsFromHeadings(table);
}
