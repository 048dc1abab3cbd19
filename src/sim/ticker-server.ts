/**
 * The ticker WebSocket (`/ws?api_key=..&access_token=..`), as Kite's: text requests to
 * subscribe, unsubscribe and set modes (quote by default), binary frames of packets in each
 * subscriber's modes (encodeFrame), a 1-byte heartbeat every second when nothing else went
 * out, and order updates as `{"type":"order","data":...}` text frames. Bad credentials are
 * refused at the upgrade with HTTP 403.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { encodeFrame, HEARTBEAT_FRAME, type Tick, type TickMode } from "../adapters/kite/ticker-protocol.js";
import type { FaultState } from "./faults.js";
import { BAD_TOKEN_MESSAGE } from "./kite-errors.js";
import type { LiveQuote, TickEvent } from "./market-replay.js";
import { tickerTick } from "./quotes.js";
import type { SessionStore } from "./sessions.js";

/** Paths the ticker answers on: /ws, and / as Kite's own root (wss://ws.kite.trade). */
const PATHS = new Set(["/ws", "/ws/", "/"]);
const HEARTBEAT_MS = 1000;
/** Kite's limits: connections an api_key, instruments a connection. */
export const MAX_CONNECTIONS_PER_KEY = 3;
export const MAX_INSTRUMENTS_PER_CONNECTION = 3000;
/** Packets a frame at most (Kite's frames carry each instrument once). */
const MAX_PACKETS_PER_FRAME = 1000;

interface Client {
  id: number;
  ws: WebSocket;
  apiKey: string;
  modes: Map<number, TickMode>;
  lastSent: number;
}

export interface TickerServerOptions {
  sessions: SessionStore;
  faults: FaultState;
  /** The current state of an instrument, for the snapshot sent on subscribe. */
  quote: (token: number) => LiveQuote | undefined;
  /** Market time, epoch ms. */
  marketNow: () => number;
  /** Real time, epoch ms (heartbeats). */
  realNow: () => number;
}

/** The ticker WebSocket server on the simulator's HTTP server. */
export class TickerServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private nextId = 1;

  constructor(private readonly o: TickerServerOptions) {
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS / 4);
    this.heartbeat.unref();
  }

  /** Takes over the HTTP server's upgrade requests on `/ws`. */
  attach(server: Server): void {
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
  }

  /** Sends a batch of replayed ticks to the subscribers, each packet in the subscriber's mode. */
  broadcast(events: readonly TickEvent[]): void {
    if (this.clients.size === 0 || this.o.faults.isSilenced()) return;
    const now = this.o.marketNow();
    for (const client of this.clients) {
      let frame: Tick[] = [];
      let inFrame = new Set<number>();
      const frames: Tick[][] = [];
      for (const e of events) {
        const mode = client.modes.get(e.tick.token);
        if (!mode) continue;
        // One packet per instrument a frame, as Kite's; a second tick of it starts a new frame.
        if (inFrame.has(e.tick.token) || frame.length >= MAX_PACKETS_PER_FRAME) {
          frames.push(frame);
          frame = [];
          inFrame = new Set();
        }
        frame.push(tickerTick(e.quote, mode, now));
        inFrame.add(e.tick.token);
      }
      if (frame.length > 0) frames.push(frame);
      for (const f of frames) this.sendBinary(client, encodeFrame(f));
    }
  }

  /** Sends an order update text frame on every socket of the api_key. */
  sendOrderUpdate(apiKey: string, data: Record<string, unknown>): void {
    if (this.o.faults.isSilenced()) return;
    const text = JSON.stringify({ type: "order", data });
    for (const c of this.clients) {
      if (c.apiKey !== apiKey || c.ws.readyState !== WebSocket.OPEN) continue;
      c.ws.send(text);
      c.lastSent = this.o.realNow();
    }
  }

  /** Closes every socket abruptly, without a close frame (the `drop_socket` fault). */
  dropAll(): void {
    for (const c of this.clients) c.ws.terminate();
  }

  /** The open sockets and what each subscribes to. */
  subscriptions(): Array<{ id: number; api_key: string; modes: Record<string, TickMode> }> {
    return [...this.clients].map((c) => ({
      id: c.id,
      api_key: c.apiKey,
      modes: Object.fromEntries([...c.modes].map(([t, m]) => [String(t), m])),
    }));
  }

  /** Closes every socket and stops the heartbeat. */
  close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!PATHS.has(url.pathname)) {
      refuse(socket, 404, "Not Found");
      return;
    }
    const apiKey = url.searchParams.get("api_key") ?? undefined;
    const accessToken = url.searchParams.get("access_token") ?? undefined;
    if (!this.o.sessions.verify(apiKey, accessToken)) {
      refuse(socket, 403, "Forbidden");
      return;
    }
    const open = [...this.clients].filter((c) => c.apiKey === apiKey).length;
    if (open >= MAX_CONNECTIONS_PER_KEY) {
      refuse(socket, 429, "Too Many Requests");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, apiKey as string));
  }

  private connected(ws: WebSocket, apiKey: string): void {
    const client: Client = { id: this.nextId++, ws, apiKey, modes: new Map(), lastSent: this.o.realNow() };
    this.clients.add(client);
    ws.on("message", (data, isBinary) => {
      if (!isBinary) this.request(client, data.toString());
    });
    ws.on("close", () => this.clients.delete(client));
    ws.on("error", () => this.clients.delete(client));
  }

  /** A text request: subscribe, unsubscribe or mode. Malformed ones are ignored, as Kite does. */
  private request(client: Client, text: string): void {
    let message: { a?: unknown; v?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!message || typeof message !== "object") return;
    const tokens = (v: unknown): number[] =>
      Array.isArray(v) ? v.filter((t): t is number => Number.isInteger(t) && t > 0) : [];
    if (message.a === "subscribe") {
      const added: number[] = [];
      for (const t of tokens(message.v)) {
        if (client.modes.has(t)) continue;
        if (client.modes.size >= MAX_INSTRUMENTS_PER_CONNECTION) {
          this.sendText(client, {
            type: "error",
            data: `Subscription limit of ${MAX_INSTRUMENTS_PER_CONNECTION} instruments reached`,
          });
          break;
        }
        client.modes.set(t, "quote");
        added.push(t);
      }
      this.snapshot(client, added);
    } else if (message.a === "unsubscribe") {
      for (const t of tokens(message.v)) client.modes.delete(t);
    } else if (message.a === "mode" && Array.isArray(message.v)) {
      const [mode, list] = message.v as [unknown, unknown];
      if (mode !== "ltp" && mode !== "quote" && mode !== "full") return;
      const changed = tokens(list).filter((t) => client.modes.has(t));
      for (const t of changed) client.modes.set(t, mode);
      this.snapshot(client, changed);
    }
  }

  /** The current state of newly subscribed (or re-moded) instruments, as Kite sends at once. */
  private snapshot(client: Client, tokens: readonly number[]): void {
    if (this.o.faults.isSilenced()) return;
    const now = this.o.marketNow();
    const ticks: Tick[] = [];
    for (const t of tokens) {
      const q = this.o.quote(t);
      const mode = client.modes.get(t);
      if (q && mode && q.lastPrice > 0) ticks.push(tickerTick(q, mode, now));
    }
    if (ticks.length > 0) this.sendBinary(client, encodeFrame(ticks));
  }

  private beat(): void {
    if (this.o.faults.isSilenced()) return;
    const now = this.o.realNow();
    for (const c of this.clients) {
      if (now - c.lastSent >= HEARTBEAT_MS) this.sendBinary(c, HEARTBEAT_FRAME);
    }
  }

  private sendBinary(client: Client, frame: Buffer): void {
    if (client.ws.readyState !== WebSocket.OPEN) return;
    client.ws.send(frame, { binary: true });
    client.lastSent = this.o.realNow();
  }

  private sendText(client: Client, message: unknown): void {
    if (client.ws.readyState !== WebSocket.OPEN) return;
    client.ws.send(JSON.stringify(message));
    client.lastSent = this.o.realNow();
  }
}

function refuse(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({
    status: "error",
    message: status === 403 ? BAD_TOKEN_MESSAGE : reason,
    error_type: status === 403 ? "TokenException" : "NetworkException",
    data: null,
  });
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
