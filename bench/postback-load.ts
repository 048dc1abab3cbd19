import { createHash } from "node:crypto";
import { Agent, request } from "node:http";

/*
 * The load generator of the postback benchmark, run as its own process (so that it does not
 * share the server's event loop): N keep-alive connections, each sending the next request as
 * soon as the previous answer arrives, for a warm-up and then a measured period. Every body is
 * a distinct, correctly checksummed Kite postback. Prints one JSON line: requests, seconds,
 * statuses, latency percentiles (ms).
 *
 * Usage: node postback-load.js <url> <connections> <warmupS> <seconds> <apiSecret> <idPrefix>
 */

interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU time the load generator itself used in the measured period (it shares the cores). */
  cpuMs: number;
}

function body(n: number, prefix: string, secret: string): string {
  const orderId = `${prefix}${String(n).padStart(9, "0")}`;
  const timestamp = "2025-09-04 10:15:00";
  return JSON.stringify({
    user_id: "AB1234",
    unfilled_quantity: 0,
    app_id: 1234,
    checksum: createHash("sha256")
      .update(orderId + timestamp + secret)
      .digest("hex"),
    placed_by: "AB1234",
    order_id: orderId,
    exchange_order_id: "1000000001482421",
    parent_order_id: null,
    status: "COMPLETE",
    status_message: null,
    status_message_raw: null,
    order_timestamp: timestamp,
    exchange_update_timestamp: timestamp,
    exchange_timestamp: timestamp,
    variety: "regular",
    exchange: "BFO",
    tradingsymbol: "SENSEX2591180500CE",
    instrument_token: 12345,
    order_type: "LIMIT",
    transaction_type: "BUY",
    validity: "DAY",
    product: "MIS",
    quantity: 20,
    disclosed_quantity: 0,
    price: 310,
    trigger_price: 0,
    average_price: 310,
    filled_quantity: 20,
    pending_quantity: 0,
    cancelled_quantity: 0,
    market_protection: 0,
    meta: {},
    tag: "E20250904001",
    guid: "bench",
  });
}

async function run(): Promise<LoadResult> {
  const [url, connections, warmupS, seconds, secret, prefix] = process.argv.slice(2);
  if (!url || !connections || !warmupS || !seconds || !secret || !prefix)
    throw new Error("usage: postback-load <url> <connections> <warmupS> <seconds> <apiSecret> <idPrefix>");
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: Number(connections) });
  let next = 0;
  let measuring = false;
  let stopping = false;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};

  const one = () =>
    new Promise<void>((resolve) => {
      const payload = body(next++, prefix, secret);
      const started = performance.now();
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (measuring) {
              latencies.push(performance.now() - started);
              statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
            }
            resolve();
          });
        },
      );
      req.on("error", () => {
        if (measuring) statuses.error = (statuses.error ?? 0) + 1;
        resolve();
      });
      req.end(payload);
    });

  const loop = async () => {
    while (!stopping) await one();
  };
  const loops = Array.from({ length: Number(connections) }, loop);
  await new Promise((r) => setTimeout(r, Number(warmupS) * 1000));
  measuring = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  stopping = true;
  await Promise.all(loops);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? Number.NaN;
  return {
    requests: latencies.length,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    statuses,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies[latencies.length - 1] ?? Number.NaN,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

run().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (e) => {
    process.stderr.write(`postback-load: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
