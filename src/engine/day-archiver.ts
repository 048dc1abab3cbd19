// Temporary: trading-service.ts takes `DayArchiver` from here until its split lands; then this file goes.
export type { DayArchiver } from "../ports/archive.js";
