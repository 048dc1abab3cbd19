import { createHash } from "node:crypto";
import { connect, type Socket } from "node:net";

/*
 * The load generator of the postback benchmark, run as its own process (so that it does not
 * share the server's event loop): N keep-alive connections, each sending the next request as
 * soon as the previous answer arrives (never two at once on a connection), for a warm-up and
 * then a measured period. Every body is a distinct, correctly checksummed Kite postback.
 * Prints one JSON line: requests, seconds, statuses, latency percentiles (ms), and its own CPU
 * time (it shares the machine's cores with the server, so it must stay cheap).
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

/** A response read off a connection: its status, and whether the server closes the connection after it. */
interface Response {
  status: number;
  close: boolean;
}

const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * Reads one HTTP/1.x response from the bytes received so far: null until it is complete.
 * Enough HTTP for these two servers: a Content-Length body (fastify, werkzeug), or none.
 */
function parseResponse(bytes: Buffer): { response: Response; used: number } | null {
  const headEnd = bytes.indexOf(HEAD_END);
  if (headEnd < 0) return null;
  const head = bytes.toString("latin1", 0, headEnd);
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const used = headEnd + 4 + (length ? Number(length[1]) : 0);
  if (bytes.length < used) return null;
  const close = head.startsWith("HTTP/1.0")
    ? !/\r\nconnection:\s*keep-alive/i.test(head)
    : /\r\nconnection:\s*close/i.test(head);
  return { response: { status, close }, used };
}

/**
 * One client connection: sends a request, waits for its whole answer, then sends the next (no
 * pipelining: one request at a time per connection, as Kite does). Raw bytes over a socket
 * rather than node:http, whose client costs about as much CPU per request as the server it
 * measures. A server that closes after an answer (werkzeug speaks HTTP/1.0) gets a new
 * connection, whose set-up is counted in that request's latency.
 */
class Connection {
  private socket: Socket | null = null;
  private received: Buffer = Buffer.alloc(0);
  private waiting: ((r: Response | null) => void) | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  send(request: Buffer): Promise<Response | null> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.open().write(request);
    });
  }

  destroy(): void {
    this.socket?.destroy();
  }

  private open(): Socket {
    if (this.socket) return this.socket;
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.received = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
      const parsed = parseResponse(this.received);
      if (!parsed) return;
      this.received = this.received.subarray(parsed.used);
      if (parsed.response.close) this.drop(socket);
      this.answer(parsed.response);
    });
    // Only while this socket is the connection's: one dropped after an answer is done with.
    const lost = () => {
      if (this.socket !== socket) return;
      this.drop(socket);
      this.answer(null);
    };
    socket.on("error", lost);
    socket.on("close", lost);
    return socket;
  }

  private drop(socket: Socket): void {
    if (this.socket === socket) this.socket = null;
    socket.destroy();
  }

  private answer(r: Response | null): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.(r);
  }
}

async function run(): Promise<LoadResult> {
  const [url, connections, warmupS, seconds, secret, prefix] = process.argv.slice(2);
  if (!url || !connections || !warmupS || !seconds || !secret || !prefix)
    throw new Error("usage: postback-load <url> <connections> <warmupS> <seconds> <apiSecret> <idPrefix>");
  const target = new URL(url);
  const host = target.hostname;
  const port = Number(target.port);
  const head = (length: number) =>
    `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${length}\r\nConnection: keep-alive\r\n\r\n`;
  let next = 0;
  let measuring = false;
  let stopping = false;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const count = (key: string) => {
    statuses[key] = (statuses[key] ?? 0) + 1;
  };

  const loop = async () => {
    const connection = new Connection(host, port);
    while (!stopping) {
      const payload = Buffer.from(body(next++, prefix, secret));
      const request = Buffer.concat([Buffer.from(head(payload.length), "latin1"), payload]);
      const started = performance.now();
      const response = await connection.send(request);
      if (!measuring) continue;
      if (response) {
        latencies.push(performance.now() - started);
        count(String(response.status));
      } else count("error");
    }
    connection.destroy();
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
