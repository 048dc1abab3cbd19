/*
 * The Kite ticker client's contract (ticker-client.ts): its options, its events, its errors
 * and its counters.
 */

import type WebSocket from "ws";
import type { Clock } from "../../ports/clock.js";
import type { Tick } from "./ticker-protocol.js";

export interface TickerClientOptions {
  /** Ticker endpoint, e.g. wss://ws.kite.trade or ws://127.0.0.1:9100/ws. */
  url: string;
  apiKey: string;
  /** Read on every (re)connect: the token changes daily. Null (or "") means none yet. */
  accessToken: () => string | null;
  /** Timestamps (last frame, watchdog arithmetic); default the system clock. */
  clock?: Clock;
  /** Jitter source in [0, 1); injectable for tests. */
  random?: () => number;
  /** Watchdog: the socket is replaced when no frame (data or heartbeat) came for this long. Default 10 s. */
  silenceMs?: number;
  /** Whether a silent open socket counts as dead (e.g. only in market hours). Default always. */
  watchdogActive?: () => boolean;
  /** Reconnect delays: capped exponential with jitter. Default 1 s .. 30 s. */
  backoff?: { initialMs: number; maxMs: number };
  /** A connection that stays open this long resets the backoff. Default 30 s. */
  stableMs?: number;
  /** close() waits this long for the closing handshake, then terminates. Default 2 s. */
  closeGraceMs?: number;
  /** Socket factory, injectable for tests. */
  createSocket?: (url: string) => WebSocket;
}

/** Anything that went wrong; emitted, never thrown. */
export interface TickerError {
  /**
   * `handshake`: the upgrade was refused (status holds the HTTP code, 403 = bad token);
   * `socket`: a network or protocol failure; `kite`: an error text frame from Kite;
   * `send`: a request could not be sent; `token`: the token getter threw;
   * `listener`: one of our own listeners threw (caught so that the socket survives).
   */
  source: "handshake" | "socket" | "kite" | "send" | "token" | "listener";
  message: string;
  status?: number;
  data?: unknown;
}

/** The events of {@link TickerClient} and their arguments. */
export interface TickerEvents {
  /** The ticks of one binary frame. */
  ticks: [ticks: Tick[]];
  /** An order update (`{"type":"order","data":...}`): the data. */
  order: [order: Record<string, unknown>];
  error: [error: TickerError];
  /** A `{"type":"message"}` text frame's data, or the raw text of an unrecognised text frame. */
  message: [data: unknown];
  /** The socket is open and the subscriptions have been re-sent. `url` has the token masked. */
  connected: [info: { url: string }];
  /** A socket ended (also one that never opened); willRetryInMs is null after close(). */
  disconnected: [info: { code: number; reason: string; willRetryInMs: number | null }];
  /** A new connection attempt is scheduled; attempt counts since the last stable connection. */
  reconnecting: [info: { attempt: number; delayMs: number }];
  /** The watchdog gave up on a socket (silent while open, or a handshake that hung). */
  silence: [info: { silentForMs: number; phase: "connecting" | "open" }];
  /** No access token was available: the client waits (with backoff) and asks again. */
  no_token: [info: { willRetryInMs: number }];
}

export interface TickerStats {
  connected: boolean;
  /** Clock time of the last frame (data or heartbeat), null before the first. */
  lastFrameAt: number | null;
  /** Connection attempts scheduled after a failure or a drop. */
  reconnects: number;
  frames: number;
  ticks: number;
  /** "error" events (including those no listener heard). */
  errors: number;
}
