/*
 * Our Kite ticker client, over `ws` (KITE.md "Ticker WebSocket"). The official KiteTicker
 * keeps module-level state, calls process.exit(1) after its last reconnect attempt and does
 * not re-subscribe on reconnect; a process holding positions can afford none of that. This
 * client:
 * - reconnects forever, with capped exponential backoff and jitter, reset once a connection
 *   has stayed up for `stableMs`;
 * - re-reads the access token on every (re)connect (it changes daily) and never exposes it
 *   (URLs in events are masked, error texts are scrubbed);
 * - re-sends subscribe + mode for every remembered instrument after each open;
 * - keeps a watchdog on the last frame (heartbeats included): a socket that goes silent is
 *   terminated and replaced; a handshake that hangs is timed out the same way;
 * - turns every failure into an "error" event: nothing is thrown to the caller, and an
 *   "error" with no listener is dropped (Node would otherwise throw it).
 */

import { EventEmitter } from "node:events";
import WebSocket from "ws";
import { type Clock, systemClock } from "../../ports/clock.js";
import { ReconnectBackoff } from "./reconnect-backoff.js";
import { decodeFrameToArray, isHeartbeat, parseTextFrame, type TickMode } from "./ticker-protocol.js";
import type { TickerClientOptions, TickerError, TickerEvents, TickerStats } from "./ticker-types.js";
import { maskToken, tickerUrl } from "./ticker-url.js";

/** Mode used by subscribe() when none is given: the only one whose packets carry the exchange timestamp. */
export const DEFAULT_TICK_MODE: TickMode = "full";

const HANDSHAKE_STATUS = /Unexpected server response: (\d{3})/;

/** A Kite ticker client that reconnects forever and re-subscribes on every connection. */
export class TickerClient extends EventEmitter<TickerEvents> {
  private readonly clock: Clock;
  private readonly silenceMs: number;
  private readonly watchdogActive: () => boolean;
  /** Reconnect delays: drives the retries, reset by a stable connection. */
  private readonly backoff: ReconnectBackoff;
  private readonly stableMs: number;
  private readonly closeGraceMs: number;
  private readonly createSocket: (url: string) => WebSocket;

  /** Remembered subscriptions: token → mode, re-sent after every open. */
  private readonly subscriptions = new Map<number, TickMode>();
  private socket: WebSocket | null = null;
  private running = false;
  /** Clock time of the last sign of life of the current socket (creation, open or frame). */
  private lastLifeAt = 0;
  /** HTTP status of the current socket's refused handshake, for the "disconnected" reason. */
  private handshakeStatus: number | null = null;
  /** The token in use, only to scrub it out of error texts. */
  private token: string | null = null;
  /** The current socket's URL with the token masked. */
  private maskedUrl = "";
  private retryTimer: NodeJS.Timeout | null = null;
  private watchdogTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  private readonly counters: TickerStats = {
    connected: false,
    lastFrameAt: null,
    reconnects: 0,
    frames: 0,
    ticks: 0,
    errors: 0,
  };

  constructor(private readonly options: TickerClientOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.silenceMs = options.silenceMs ?? 10_000;
    this.watchdogActive = options.watchdogActive ?? (() => true);
    this.backoff = new ReconnectBackoff(options.backoff, options.random ?? Math.random);
    this.stableMs = options.stableMs ?? 30_000;
    this.closeGraceMs = options.closeGraceMs ?? 2_000;
    this.createSocket = options.createSocket ?? defaultSocket;
  }

  /** Live counters (read-only view). */
  get stats(): Readonly<TickerStats> {
    return this.counters;
  }

  /** Starts connecting (and keeps reconnecting until close()). Calling it again is a no-op. */
  connect(): void {
    if (this.running) return;
    this.running = true;
    this.backoff.reset();
    this.open();
  }

  /** Stops reconnecting, closes the socket and clears every timer. Resolves once the socket is closed. */
  close(): Promise<void> {
    this.running = false;
    this.clearTimer("retryTimer");
    this.clearTimer("watchdogTimer");
    this.clearTimer("stableTimer");
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) {
      this.socket = null;
      this.counters.connected = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let grace: NodeJS.Timeout | undefined;
      const finish = () => {
        if (grace) clearTimeout(grace);
        grace = undefined;
        resolve();
      };
      socket.once("close", finish);
      grace = setTimeout(() => {
        grace = undefined;
        this.guard(() => socket.terminate());
        // A socket that still has not reported its close is dropped here: nothing waits on it.
        this.ended(socket, 1006, "terminated by close()");
        resolve();
      }, this.closeGraceMs);
      this.guard(() => {
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else if (socket.readyState === WebSocket.OPEN) socket.close(1000, "client closing");
      });
    });
  }

  /** Subscribes instruments in a mode (default full): remembered, sent now if connected, re-sent after every reconnect. */
  subscribe(tokens: readonly number[], mode: TickMode = DEFAULT_TICK_MODE): void {
    const valid = this.validTokens(tokens);
    if (valid.length === 0) return;
    for (const t of valid) this.subscriptions.set(t, mode);
    if (this.counters.connected) {
      this.send({ a: "subscribe", v: valid });
      this.send({ a: "mode", v: [mode, valid] });
    }
  }

  /** Forgets instruments and unsubscribes them if connected. */
  unsubscribe(tokens: readonly number[]): void {
    const valid = this.validTokens(tokens);
    if (valid.length === 0) return;
    for (const t of valid) this.subscriptions.delete(t);
    if (this.counters.connected) this.send({ a: "unsubscribe", v: valid });
  }

  /** Changes the mode of subscribed instruments (tokens not subscribed are left out). */
  setMode(mode: TickMode, tokens: readonly number[]): void {
    const subscribed = this.validTokens(tokens).filter((t) => this.subscriptions.has(t));
    if (subscribed.length === 0) return;
    for (const t of subscribed) this.subscriptions.set(t, mode);
    if (this.counters.connected) this.send({ a: "mode", v: [mode, subscribed] });
  }

  /** The remembered subscriptions (token → mode). */
  subscribed(): ReadonlyMap<number, TickMode> {
    return this.subscriptions;
  }

  // ---- connection lifecycle ----

  private open(): void {
    this.retryTimer = null;
    if (!this.running) return;
    let token: string | null = null;
    try {
      token = this.options.accessToken();
    } catch (e) {
      this.fail({ source: "token", message: `access token getter failed: ${messageOf(e)}` });
    }
    if (!token) {
      const delayMs = this.backoff.next();
      this.fire("no_token", { willRetryInMs: delayMs });
      this.scheduleRetry(delayMs);
      return;
    }
    this.token = token;
    this.handshakeStatus = null;
    let socket: WebSocket;
    try {
      const url = tickerUrl(this.options.url, this.options.apiKey, token);
      this.maskedUrl = maskToken(url);
      socket = this.createSocket(url);
    } catch (e) {
      this.fail({ source: "socket", message: this.scrub(messageOf(e)) });
      this.scheduleRetry(this.backoff.next());
      return;
    }
    this.socket = socket;
    this.lastLifeAt = this.clock.now();
    socket.on("open", () => this.opened(socket));
    socket.on("message", (data, isBinary) => this.received(socket, data, isBinary));
    // This listener stays for the socket's whole life: ws throws an "error" nobody listens to.
    socket.on("error", (err) => this.socketError(socket, err));
    socket.on("close", (code, reason) => this.ended(socket, code, reason.toString()));
    this.armWatchdog(this.silenceMs);
  }

  private opened(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.counters.connected = true;
    this.lastLifeAt = this.clock.now();
    this.resubscribe();
    this.clearTimer("stableTimer");
    this.stableTimer = setTimeout(() => {
      this.stableTimer = null;
      this.backoff.reset();
    }, this.stableMs);
    this.fire("connected", { url: this.maskedUrl });
  }

  /** Handles the end of a socket, once: reports it and schedules the next attempt unless closed. */
  private ended(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.counters.connected = false;
    this.clearTimer("watchdogTimer");
    this.clearTimer("stableTimer");
    const why = reason || (this.handshakeStatus ? `HTTP ${this.handshakeStatus}` : "");
    if (!this.running) {
      this.fire("disconnected", { code, reason: why, willRetryInMs: null });
      return;
    }
    const delayMs = this.backoff.next();
    this.fire("disconnected", { code, reason: why, willRetryInMs: delayMs });
    this.scheduleRetry(delayMs);
  }

  private socketError(socket: WebSocket, err: Error): void {
    // Errors of a socket already given up on (e.g. the abort of a terminated handshake), or
    // after close(), are noise.
    if (socket !== this.socket || !this.running) return;
    const message = this.scrub(messageOf(err));
    const status = HANDSHAKE_STATUS.exec(message)?.[1];
    if (status) {
      this.handshakeStatus = Number(status);
      this.fail({ source: "handshake", message, status: this.handshakeStatus });
    } else {
      this.fail({ source: "socket", message });
    }
  }

  private scheduleRetry(delayMs: number): void {
    if (!this.running) return;
    this.clearTimer("retryTimer");
    this.counters.reconnects++;
    this.fire("reconnecting", { attempt: this.backoff.attempt, delayMs });
    if (!this.running) return; // a listener may have closed the client
    this.retryTimer = setTimeout(() => this.open(), delayMs);
  }

  // ---- watchdog ----

  private armWatchdog(ms: number): void {
    this.clearTimer("watchdogTimer");
    this.watchdogTimer = setTimeout(() => this.checkWatchdog(), Math.max(1, ms));
  }

  /** One timer per socket, re-armed for the remaining time: frames never touch a timer. */
  private checkWatchdog(): void {
    this.watchdogTimer = null;
    const socket = this.socket;
    if (!socket || !this.running) return;
    const silentForMs = this.clock.now() - this.lastLifeAt;
    const connecting = socket.readyState === WebSocket.CONNECTING;
    const active = connecting || this.safeWatchdogActive();
    if (active && silentForMs >= this.silenceMs) {
      this.fire("silence", { silentForMs, phase: connecting ? "connecting" : "open" });
      if (socket !== this.socket) return; // a listener reconnected or closed
      this.guard(() => socket.terminate());
      // Do not wait for ws to report the close of a dead socket: replace it now.
      this.ended(socket, 1006, "no frame within the watchdog limit");
      return;
    }
    const remaining = active ? this.silenceMs - silentForMs : this.silenceMs;
    this.armWatchdog(Math.min(this.silenceMs, remaining));
  }

  private safeWatchdogActive(): boolean {
    try {
      return this.watchdogActive();
    } catch (e) {
      this.fail({ source: "listener", message: `watchdogActive failed: ${messageOf(e)}` });
      return true;
    }
  }

  // ---- frames ----

  private received(socket: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    if (socket !== this.socket) return;
    const now = this.clock.now();
    this.counters.frames++;
    this.counters.lastFrameAt = now;
    this.lastLifeAt = now;
    if (isBinary) {
      const frame = asBytes(data);
      if (isHeartbeat(frame)) return;
      const ticks = decodeFrameToArray(frame);
      this.counters.ticks += ticks.length;
      if (ticks.length > 0) this.fire("ticks", ticks);
      return;
    }
    const text = asBytes(data).toString("utf8");
    const message = parseTextFrame(text);
    switch (message.type) {
      case "order":
        this.fire("order", message.data);
        break;
      case "error":
        this.fail({ source: "kite", message: String(message.data), data: message.data });
        break;
      case "message":
        this.fire("message", message.data);
        break;
      default:
        this.fire("message", message.raw);
    }
  }

  private resubscribe(): void {
    if (this.subscriptions.size === 0) return;
    this.send({ a: "subscribe", v: [...this.subscriptions.keys()] });
    const byMode = new Map<TickMode, number[]>();
    for (const [token, mode] of this.subscriptions) {
      const list = byMode.get(mode);
      if (list) list.push(token);
      else byMode.set(mode, [token]);
    }
    for (const [mode, tokens] of byMode) this.send({ a: "mode", v: [mode, tokens] });
  }

  private send(request: { a: string; v: unknown }): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    try {
      socket.send(JSON.stringify(request), (err) => {
        if (err) this.fail({ source: "send", message: this.scrub(messageOf(err)) });
      });
    } catch (e) {
      this.fail({ source: "send", message: this.scrub(messageOf(e)) });
    }
  }

  // ---- helpers ----

  private validTokens(tokens: readonly number[]): number[] {
    const valid = tokens.filter((t) => Number.isInteger(t) && t > 0);
    if (valid.length !== tokens.length) {
      this.fail({
        source: "send",
        message: "instrument tokens must be positive integers; others were left out",
      });
    }
    return valid;
  }

  private fail(error: TickerError): void {
    this.counters.errors++;
    if (this.listenerCount("error") === 0) return;
    this.fire("error", error);
  }

  /** Emits without letting a listener's exception reach ws (which would end the process). */
  private fire<K extends keyof TickerEvents>(event: K, ...args: TickerEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: TickerEvents[K]) => boolean)(event, ...args);
    } catch (e) {
      if (event === "error") return; // the error listener itself threw: nowhere left to report
      this.fail({ source: "listener", message: `a "${String(event)}" listener threw: ${messageOf(e)}` });
    }
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (e) {
      this.fail({ source: "socket", message: this.scrub(messageOf(e)) });
    }
  }

  private clearTimer(name: "retryTimer" | "watchdogTimer" | "stableTimer"): void {
    const timer = this[name];
    if (timer) clearTimeout(timer);
    this[name] = null;
  }

  private scrub(text: string): string {
    return this.token ? text.split(this.token).join("***") : text;
  }
}

function defaultSocket(url: string): WebSocket {
  return new WebSocket(url, { headers: { "X-Kite-Version": "3" }, perMessageDeflate: false });
}

function asBytes(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
