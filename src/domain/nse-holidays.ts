import type { IsoDate } from "./ist.js";

/**
 * NSE trading holidays of the equity derivatives segment (NFO), weekdays only.
 *
 * Not in ../shared/docs: the 2026 dates follow NSE's "Trading holidays for the calendar year
 * 2026" as republished at https://www.stocktrack.co.in/2026/01/nse-trading-holidays-2026.html
 * (with the 15 January 2026 Maharashtra municipal election holiday); the 2025 dates are NSE's
 * 2025 circular, the same days as BSE's 2025 notice (the two exchanges close together). The
 * exchange may change a holiday by a later circular: add such changes in `market.holidays`.
 */
export const NSE_HOLIDAYS: ReadonlyMap<IsoDate, string> = new Map([
  ["2025-02-26", "Mahashivratri"],
  ["2025-03-14", "Holi"],
  ["2025-03-31", "Id-Ul-Fitr (Ramadan Eid)"],
  ["2025-04-10", "Shri Mahavir Jayanti"],
  ["2025-04-14", "Dr. Baba Saheb Ambedkar Jayanti"],
  ["2025-04-18", "Good Friday"],
  ["2025-05-01", "Maharashtra Day"],
  ["2025-08-15", "Independence Day"],
  ["2025-08-27", "Ganesh Chaturthi"],
  ["2025-10-02", "Mahatma Gandhi Jayanti / Dussehra"],
  ["2025-10-21", "Diwali Laxmi Pujan (Muhurat trading only)"],
  ["2025-10-22", "Diwali Balipratipada"],
  ["2025-11-05", "Prakash Gurpurb Sri Guru Nanak Dev"],
  ["2025-12-25", "Christmas"],
  ["2026-01-15", "Municipal Corporation Election - Maharashtra"],
  ["2026-01-26", "Republic Day"],
  ["2026-03-03", "Holi"],
  ["2026-03-26", "Shri Ram Navami"],
  ["2026-03-31", "Shri Mahavir Jayanti"],
  ["2026-04-03", "Good Friday"],
  ["2026-04-14", "Dr. Baba Saheb Ambedkar Jayanti"],
  ["2026-05-01", "Maharashtra Day"],
  ["2026-05-28", "Bakri Id"],
  ["2026-06-26", "Muharram"],
  ["2026-09-14", "Ganesh Chaturthi"],
  ["2026-10-02", "Mahatma Gandhi Jayanti"],
  ["2026-10-20", "Dussehra"],
  ["2026-11-10", "Diwali-Balipratipada"],
  ["2026-11-24", "Prakash Gurpurb Sri Guru Nanak Dev"],
  ["2026-12-25", "Christmas"],
]);
