/*
 * Tables shown as stacked cards on a phone (dashboard.css, `table.cards`): each row becomes a
 * card and each cell a line "label · value", so a trade's exit and reason and a signal's "why"
 * are read without scrolling sideways. The labels are the table's own column headings, copied
 * onto the cells after every render: a column added to the table is labelled with it.
 */

/** Gives every body cell of `table` its column's heading as `data-label`. */
export function labelCellsFromHeadings(table: HTMLTableElement): void {
  const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent?.trim() ?? "");
  for (const row of table.tBodies[0]?.rows ?? []) {
    let column = 0;
    for (const cell of row.cells) {
      const label = cell.colSpan === 1 ? headings[column] : undefined;
      if (label) cell.dataset.label = label;
      column += cell.colSpan;
    }
  }
}
