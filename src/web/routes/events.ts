import type { FastifyInstance } from "fastify";
import type { LiveEvent } from "../../ports/app.js";
import { clientOf } from "../client-address.js";
import type { Repeat, WebContext } from "../context.js";
import { errorText, sendError } from "../errors.js";
import { securityHeaders } from "../security-headers.js";

/*
 * GET /events: the dashboard's live feed, as server-sent events. Each LiveEvent is one
 * `event: <type>` with the whole event as JSON in `data:`; the first is a `status` event, so a
 * page that (re)connects is current at once. A comment every 15 s keeps proxies from closing
 * an idle stream. A client that stops reading is cut off (its buffer would grow without end):
 * the browser reconnects by itself and starts again from a fresh status.
 */

/** Streams open at most (one trader, a few tabs and devices). */
export const MAX_EVENT_STREAMS = 16;
/** Bytes queued for a slow client before it is cut off. */
const MAX_BUFFERED = 1024 * 1024;
const KEEP_ALIVE_MS = 15_000;

const defaultRepeat: Repeat = (fn, ms) => {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/** One SSE message of an event. */
export function sseMessage(event: LiveEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Registers GET /events; `open` holds each open stream's close function (called when the app closes). */
export function registerEventStream(app: FastifyInstance, ctx: WebContext, open: Set<() => void>): void {
  app.get("/events", (request, reply) => {
    if (open.size >= MAX_EVENT_STREAMS) return sendError(reply, 429, "too many open event streams");
    let first: string;
    try {
      first = sseMessage({ type: "status", status: ctx.deps.engine.status() });
    } catch (e) {
      ctx.log.error({ err: errorText(e) }, "the engine's status could not be read");
      return sendError(reply, 500, "internal error");
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...securityHeaders(clientOf(request).https),
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      // nginx would otherwise buffer the stream
      "x-accel-buffering": "no",
    });
    let unsubscribe: () => void = () => {};
    let stopKeepAlive: () => void = () => {};
    const close = () => {
      if (!open.delete(close)) return;
      unsubscribe();
      stopKeepAlive();
      if (!res.writableEnded) res.end();
    };
    const write = (text: string) => {
      if (res.writableEnded || res.destroyed) return close();
      if (res.writableLength > MAX_BUFFERED) {
        ctx.log.warn({ client: clientOf(request).address }, "event stream cut off: the client does not read");
        return close();
      }
      res.write(text);
    };
    open.add(close);
    res.on("close", close);
    res.on("error", close);
    write(`retry: 3000\n\n${first}`);
    unsubscribe = ctx.deps.engine.subscribe((event) => {
      try {
        write(sseMessage(event));
      } catch (e) {
        ctx.log.error({ type: event.type, err: errorText(e) }, "a live event could not be sent");
      }
    });
    stopKeepAlive = (ctx.deps.repeat ?? defaultRepeat)(
      () => write(": keep-alive\n\n"),
      ctx.deps.keepAliveMs ?? KEEP_ALIVE_MS,
    );
    // The stream may have closed while subscribing.
    if (!open.has(close)) {
      unsubscribe();
      stopKeepAlive();
    }
  });
}
