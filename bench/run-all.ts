import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { textTable } from "../src/cli/text-table.js";
import { backtestBenchmark } from "./backtest.bench.js";
import { entryLatencyBenchmark } from "./entry-latency.bench.js";
import { labBenchmark } from "./lab.bench.js";
import { postbackBenchmark } from "./postback.bench.js";
import { serviceMemoryBenchmark } from "./service-memory.bench.js";
import type { Figure } from "./stats.js";
import { tickerBenchmark } from "./ticker.bench.js";

/** `npm run bench`: runs every benchmark, prints one table and writes bench/results.json. */
async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const figures: Figure[] = [
    ...backtestBenchmark(log),
    // The strategy lab (issue 15): optimize against one backtest, and the parsed-candle cache.
    ...labBenchmark(log),
    ...tickerBenchmark(log),
    ...(await postbackBenchmark(log)),
    // The engine (issue 4): closing tick → entry order, and the service's memory over a day.
    ...(await entryLatencyBenchmark(log)),
    ...(await serviceMemoryBenchmark(log)),
  ];
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
  process.stdout.write(
    `${textTable(
      ["benchmark", "value", "unit", "target", "met"],
      figures.map((f) => [
        f.name,
        f.value,
        f.unit,
        f.target ?? "",
        f.met === undefined ? "" : f.met ? "yes" : "NO",
      ]),
    )}\n`,
  );
  process.stdout.write(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gb} GB, Node ${machine.node}\n`,
  );
  const out = fileURLToPath(new URL("../../bench/results.json", import.meta.url));
  writeFileSync(out, `${JSON.stringify({ machine, figures }, null, 2)}\n`);
  process.stdout.write(`written to bench/results.json\n`);
}

await main();
