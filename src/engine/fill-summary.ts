// Temporary: trading-service.ts takes `fillSummary` from here until its split lands; then this file goes.
export { fillSummary } from "../domain/fill-summary.js";
