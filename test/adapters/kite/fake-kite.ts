import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { KiteRest, type KiteRestOptions } from "../../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../../src/adapters/kite/rate-limiter.js";
import { istEpochMs } from "../../../src/domain/ist.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { SHARED_DIR } from "../../support/paths.js";

/*
 * A small stand-in for api.kite.trade, for tests only: it answers with Zerodha's recorded
 * payloads (read from ../shared at test time, never copied), records every request, and lets
 * a test replace any route's answer (errors, delays, hang-ups). The real kiteconnect client is
 * pointed at it through its `root` option.
 */

/** A recorded mock payload's text. */
export const mockText = (name: string): string => readFileSync(`${SHARED_DIR}kite-mocks/${name}`, "utf8");
/** A recorded mock payload, parsed. */
export const mockJson = <T = Record<string, unknown>>(name: string): T => JSON.parse(mockText(name)) as T;

export const BFO_MASTER_CSV = `${SHARED_DIR}data/instruments/instruments_bfo.csv`;
export const BSE_MASTER_CSV = `${SHARED_DIR}data/instruments/instruments_bse.csv`;

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  form: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Route parameters (`:id` → params.id). */
  params: Record<string, string>;
}

export interface FakeReply {
  status?: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Close the connection without an answer. */
  hangUp?: boolean;
}

export type FakeHandler = (req: FakeRequest, nth: number) => FakeReply | Promise<FakeReply>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: FakeHandler;
  hits: number;
}

/** Kite's error envelope. */
export function kiteError(status: number, errorType: string, message: string): FakeReply {
  return { status, json: { status: "error", message, data: null, error_type: errorType } };
}

/** A success envelope around `data`. */
export function kiteData(data: unknown): FakeReply {
  return { json: { status: "success", data } };
}

export class FakeKite {
  readonly requests: FakeRequest[] = [];
  private readonly routes: Route[] = [];
  private server!: Server;
  url = "";

  /** Starts a fake on a free port of 127.0.0.1 with the recorded payloads on every route. */
  static async start(): Promise<FakeKite> {
    const fake = new FakeKite();
    fake.installDefaults();
    await fake.listen();
    return fake;
  }

  /** Answers `METHOD /path/:param` with `handler` (replacing an earlier route of the same key). */
  route(key: string, handler: FakeHandler | FakeReply): void {
    const [method, path] = key.split(" ") as [string, string];
    const names: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/:([a-z_]+)/g, (_m, name: string) => {
        names.push(name);
        return "([^/]+)";
      })}$`,
    );
    const h: FakeHandler = typeof handler === "function" ? handler : () => handler;
    const i = this.routes.findIndex((r) => r.method === method && r.pattern.source === pattern.source);
    const route = { method, pattern, names, handler: h, hits: 0 };
    if (i >= 0) this.routes[i] = route;
    else this.routes.push(route);
  }

  /** How many requests matched `METHOD /path` (exact path, or a route pattern). */
  count(key: string): number {
    const [method, path] = key.split(" ") as [string, string];
    const pattern = new RegExp(`^${path.replace(/:([a-z_]+)/g, "[^/]+")}$`);
    return this.requests.filter((r) => r.method === method && pattern.test(r.path)).length;
  }

  /** Forgets the requests recorded so far. */
  clearRequests(): void {
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private installDefaults(): void {
    const mock = (name: string) => () => ({ json: mockJson(name) });
    this.route("POST /session/token", mock("generate_session.json"));
    this.route("GET /user/profile", mock("profile.json"));
    this.route("GET /user/margins", mock("margins.json"));
    this.route("GET /orders", mock("orders.json"));
    this.route("GET /orders/:order_id", mock("order_info.json"));
    this.route("GET /orders/:order_id/trades", mock("order_trades.json"));
    this.route("GET /trades", mock("trades.json"));
    this.route("GET /portfolio/positions", mock("positions.json"));
    this.route("GET /quote", mock("quote.json"));
    this.route("GET /quote/ohlc", mock("ohlc.json"));
    this.route("GET /quote/ltp", mock("ltp.json"));
    this.route("GET /instruments/historical/:token/:interval", mock("historical_minute.json"));
    this.route("GET /instruments/:exchange", (req) => {
      const file =
        req.params.exchange === "BFO" ? BFO_MASTER_CSV : req.params.exchange === "BSE" ? BSE_MASTER_CSV : "";
      if (!file) return kiteError(400, "InputException", "Invalid exchange");
      // Kite's content type for the master dump; kiteconnect parses the body when it is exactly this.
      return { text: readFileSync(file, "utf8"), contentType: "text/csv" };
    });
    this.route("POST /orders/regular", mock("order_response.json"));
    this.route("PUT /orders/regular/:order_id", mock("order_modify.json"));
    this.route("DELETE /orders/regular/:order_id", mock("order_cancel.json"));
  }

  private listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void (async () => {
          const url = new URL(req.url ?? "/", "http://fake");
          const body = Buffer.concat(chunks).toString("utf8");
          const request: FakeRequest = {
            method: req.method ?? "GET",
            path: url.pathname,
            query: url.searchParams,
            body,
            form: new URLSearchParams(body),
            headers: req.headers,
            params: {},
          };
          this.requests.push(request);
          const route = this.routes.find((r) => r.method === request.method && r.pattern.test(request.path));
          let reply: FakeReply;
          if (!route)
            reply = kiteError(404, "GeneralException", `no route ${request.method} ${request.path}`);
          else {
            const m = route.pattern.exec(request.path) as RegExpExecArray;
            route.names.forEach((n, i) => {
              request.params[n] = decodeURIComponent(m[i + 1] as string);
            });
            route.hits++;
            reply = await route.handler(request, route.hits);
          }
          if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
          if (reply.hangUp) {
            req.socket.destroy();
            return;
          }
          if (res.destroyed) return;
          const isJson = reply.json !== undefined;
          res.writeHead(reply.status ?? 200, {
            "Content-Type": reply.contentType ?? (isJson ? "application/json" : "text/plain"),
          });
          res.end(isJson ? JSON.stringify(reply.json) : (reply.text ?? ""));
        })();
      });
    });
    return new Promise((resolve) => {
      this.server.listen({ host: "127.0.0.1", port: 0 }, () => {
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        resolve();
      });
    });
  }
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen({ host: "127.0.0.1", port: 0 }, () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A KiteRest on the fake with a manual clock that only the injected sleep moves (so back-offs
 * and rate limits take no real time); `sleeps` lists every pause asked for.
 */
export function restOnFake(fake: FakeKite, options: Partial<KiteRestOptions> = {}) {
  const clock = new ManualClock(istEpochMs("2025-09-04", 10 * 60));
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  const kite = new KiteRest({
    apiKey: "testkey",
    apiRoot: fake.url,
    timeoutMs: 1500,
    limiter: new RateLimiter({ clock, sleep }),
    sleep,
    random: () => 0.5,
    accessToken: "access-token-1",
    ...options,
  });
  return { kite, clock, sleeps };
}
