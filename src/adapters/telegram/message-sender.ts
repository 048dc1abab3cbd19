/*
 * One sendMessage call to the Bot API, told apart by what it means for "never twice":
 *
 * - sent: Telegram answered ok.
 * - retry: certainly not sent (no connection was made, or Telegram answered with an error it
 *   may get over: 429 with its retry_after, 5xx, 401/403/404 that the operator can fix).
 * - uncertain: the connection was up but no answer came (timeout, reset, a gateway's page):
 *   Telegram may have delivered it, so it must not be sent again.
 * - refused: Telegram refused this message for good (400); sending it again cannot help.
 *
 * Plain node:http(s) rather than grammY's client here because that difference needs to know
 * whether the connection was made, which fetch does not tell. One connection per message (no
 * keep-alive): a stale pooled socket would turn "not sent" into "uncertain", and a few dozen
 * messages a day do not need the pool.
 */

import http from "node:http";
import https from "node:https";
import type { SetTimer } from "../../ports/timer.js";
import { toPlainText } from "./html.js";

export type SendOutcome =
  | { kind: "sent"; messageId: number | null }
  | { kind: "retry"; error: string; retryAfterMs: number | null }
  | { kind: "uncertain"; error: string }
  | { kind: "refused"; error: string };

/** Sends one message text (HTML parse mode) to one chat. Never throws. */
export interface MessageSender {
  send(chatId: string, text: string): Promise<SendOutcome>;
}

export interface BotApiSenderOptions {
  token: string;
  /** `telegram.api_root`, without a trailing slash. */
  apiRoot: string;
  timeoutMs: number;
  setTimer: SetTimer;
}

/** Answers of the Bot API (https://core.telegram.org/bots/api#making-requests). */
interface BotApiAnswer {
  ok: boolean;
  result?: { message_id?: number };
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

/** Errors that happen before a connection exists: the request cannot have reached Telegram. */
const NOT_CONNECTED_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTDOWN",
]);

/** The Bot API's sendMessage over plain HTTP(S), classified as above. */
export class BotApiSender implements MessageSender {
  constructor(private readonly o: BotApiSenderOptions) {}

  async send(chatId: string, text: string): Promise<SendOutcome> {
    const first = await this.call(chatId, text, "HTML");
    // Our own markup was refused (a bug, never the trader's fault): the words still matter.
    if (first.kind === "refused" && /can't parse entities/i.test(first.error)) {
      return this.call(chatId, toPlainText(text), null);
    }
    return first;
  }

  private call(chatId: string, text: string, parseMode: "HTML" | null): Promise<SendOutcome> {
    const body = JSON.stringify({
      chat_id: chatId,
      text,
      ...(parseMode ? { parse_mode: parseMode } : {}),
      link_preview_options: { is_disabled: true },
    });
    let url: URL;
    try {
      url = new URL(`${this.o.apiRoot}/bot${this.o.token}/sendMessage`);
    } catch {
      return Promise.resolve({ kind: "retry", error: "telegram.api_root is not a URL", retryAfterMs: null });
    }
    const isHttps = url.protocol === "https:";
    return new Promise((resolve) => {
      let connected = false;
      let settled = false;
      const finish = (outcome: SendOutcome) => {
        if (settled) return;
        settled = true;
        cancelTimer();
        resolve(outcome);
      };
      const req = (isHttps ? https : http).request(url, {
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      });
      const cancelTimer = this.o.setTimer(this.o.timeoutMs, () => {
        req.destroy(new Error(`no answer within ${Math.round(this.o.timeoutMs / 1000)} s`));
      });
      req.on("socket", (socket) => {
        socket.once(isHttps ? "secureConnect" : "connect", () => {
          connected = true;
        });
      });
      req.on("error", (e: NodeJS.ErrnoException) => {
        const what = e.code ?? e.message;
        if (!connected || (e.code !== undefined && NOT_CONNECTED_CODES.has(e.code))) {
          finish({ kind: "retry", error: `Telegram unreachable (${what})`, retryAfterMs: null });
        } else {
          finish({ kind: "uncertain", error: `no answer from Telegram (${what})` });
        }
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size <= 1_000_000) chunks.push(c);
        });
        res.on("error", () => finish({ kind: "uncertain", error: "the answer was cut off" }));
        res.on("end", () => finish(classify(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"))));
      });
      req.end(body);
    });
  }
}

/** What an HTTP answer means for the message. */
function classify(status: number, text: string): SendOutcome {
  let answer: BotApiAnswer | null = null;
  try {
    answer = JSON.parse(text) as BotApiAnswer;
  } catch {
    answer = null;
  }
  if (answer === null || typeof answer.ok !== "boolean") {
    // Not the Bot API speaking: a proxy or gateway page. Only a 503 says the request went no further.
    return status === 503
      ? { kind: "retry", error: `HTTP 503 from a gateway`, retryAfterMs: null }
      : { kind: "uncertain", error: `HTTP ${status} without a Bot API answer` };
  }
  if (answer.ok) return { kind: "sent", messageId: answer.result?.message_id ?? null };
  const code = answer.error_code ?? status;
  const error = `${code} ${answer.description ?? "no description"}`;
  if (code === 429) {
    const after = answer.parameters?.retry_after;
    return { kind: "retry", error, retryAfterMs: typeof after === "number" ? after * 1000 : null };
  }
  if (code === 400) return { kind: "refused", error };
  return { kind: "retry", error, retryAfterMs: null };
}
