import { fileURLToPath } from "node:url";

/** The repository root (tests run compiled, from dist/test/<dir>/). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** ../shared beside the repository: the real market data and Kite's mock payloads. */
export const SHARED_DIR = fileURLToPath(new URL("../../../../shared/", import.meta.url));
export const REAL_CANDLES_DIR = `${SHARED_DIR}data/candles-3minute`;
export const REAL_BFO_MASTER = `${SHARED_DIR}data/instruments/instruments_bfo.csv`;
/** The built `pivot` command (the bundle that package.json names as its bin). */
export const CLI = fileURLToPath(new URL("../../pivot.js", import.meta.url));
