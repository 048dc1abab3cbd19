import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeSampleData } from "../src/backtest/sample-data.js";

/**
 * The benchmark's sample market (`pivot sample-data --days N --seed S`, ATM ± `strikeRange`),
 * generated once into the temp directory and reused while complete (a marker file is written last).
 */
export function benchmarkMarket(days: number, seed: number, strikeRange = 500): string {
  const wide = strikeRange === 500 ? "" : `-range${strikeRange}`;
  const dir = join(tmpdir(), `pivot-bench-market-${days}d-seed${seed}${wide}`);
  const marker = join(dir, ".complete");
  if (existsSync(marker) && readFileSync(marker, "utf8") === "v2") return dir;
  rmSync(dir, { recursive: true, force: true });
  writeSampleData({ outDir: dir, days, seed, strikeRange });
  writeFileSync(marker, "v2");
  return dir;
}
