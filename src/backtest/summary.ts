// Temporary: live-day.ts takes `summarize` from here until its split lands; then this file goes.
export { summarize } from "../domain/summary.js";
