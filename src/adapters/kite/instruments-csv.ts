import { INSTRUMENT_COLUMNS } from "../../domain/instruments.js";

/**
 * The instrument master as CSV text. The client hands the body over as it came when the
 * content type is `text/csv; charset=...`, but parses it into objects (expiry as a UTC Date,
 * numbers as numbers) when it is exactly `text/csv`: those are written back as CSV.
 */
export function instrumentsCsvOf(raw: unknown): string | null {
  if (typeof raw === "string") return raw;
  if (Buffer.isBuffer(raw)) return raw.toString("utf8");
  if (!Array.isArray(raw)) return null;
  const lines = [INSTRUMENT_COLUMNS.join(",")];
  for (const row of raw) {
    if (typeof row !== "object" || row === null) continue;
    const r = row as Record<string, unknown>;
    if (r.instrument_token === undefined || r.instrument_token === "") continue; // papaparse's last empty line
    lines.push(INSTRUMENT_COLUMNS.map((c) => csvField(r[c])).join(","));
  }
  return `${lines.join("\n")}\n`;
}

function csvField(v: unknown): string {
  let s: string;
  if (v instanceof Date) s = Number.isNaN(v.getTime()) ? "" : v.toISOString().slice(0, 10);
  else if (typeof v === "number") s = Number.isFinite(v) ? String(v) : "";
  else if (v === null || v === undefined) s = "";
  else s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
