/*
 * A local fake of the Telegram Bot API (https://core.telegram.org/bots/api) for tests: the
 * methods this system uses, over node:http on 127.0.0.1, close enough for grammY (getMe,
 * deleteWebhook, getUpdates with long polling and offsets, setMyCommands, sendMessage,
 * answerCallbackQuery, editMessageText, editMessageReplyMarkup). It records what the bot sent,
 * injects updates (messages, button presses), and fails on demand: 429 with retry_after, 5xx,
 * a request held without an answer, or no server at all (offline, then online on the same port).
 *
 * Like Telegram it refuses HTML it cannot parse ("can't parse entities") and texts over 4096
 * characters, so that escaping mistakes fail tests.
 */

import http from "node:http";
import type { AddressInfo } from "node:net";

/** A message the bot sent (sendMessage) or changed (edit…). */
export interface SentMessage {
  method: string;
  chatId: string;
  messageId: number;
  text: string | null;
  parseMode: string | null;
  /** Button rows as [text, callback data]. */
  buttons: Array<Array<[string, string]>> | null;
}

export interface FakeBotApiOptions {
  token?: string;
  username?: string;
}

interface Fault {
  method: string | null;
  status: number;
  retryAfter: number | null;
  description: string;
  hang: boolean;
}

const ALLOWED_TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "a",
  "code",
  "pre",
  "tg-spoiler",
  "blockquote",
]);

/** Telegram's HTML rules, roughly: known tags, balanced, entities written out; null when fine. */
export function htmlProblem(text: string): string | null {
  const open: string[] = [];
  const token = /<(\/?)([a-z-]+)((?:\s+[a-z]+="[^"<]*")*)\s*>|<|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);|&|>/gi;
  for (const m of text.matchAll(token)) {
    const whole = m[0];
    if (whole === "<") return `Unexpected < at byte offset ${m.index}`;
    if (whole === "&") return `Unsupported entity at byte offset ${m.index}`;
    if (whole === ">" || whole.startsWith("&")) continue;
    const name = (m[2] ?? "").toLowerCase();
    if (!ALLOWED_TAGS.has(name)) return `Unsupported start tag "${name}" at byte offset ${m.index}`;
    if (m[1] === "/") {
      if (open.pop() !== name) return `Unmatched end tag at byte offset ${m.index}, expected "</${name}>"`;
    } else {
      open.push(name);
    }
  }
  return open.length > 0 ? `Can't find end tag corresponding to start tag "${open.at(-1)}"` : null;
}

/** The fake server; see the file comment. */
export class FakeBotApi {
  readonly token: string;
  readonly username: string;
  /** Every message the bot sent or edited, in order. */
  readonly sent: SentMessage[] = [];
  /** Callback queries answered: [callback query id, text]. */
  readonly answeredCallbacks: Array<[string, string | null]> = [];
  /** Calls received, by method name (failed ones included). */
  readonly calls: string[] = [];
  /** The commands registered with setMyCommands. */
  commands: Array<{ command: string; description: string }> = [];
  private server: http.Server | null = null;
  private port = 0;
  private readonly updates: Array<{ update_id: number } & Record<string, unknown>> = [];
  private nextUpdateId = 1;
  private nextMessageId = 1000;
  private nextCallbackId = 1;
  private readonly faults: Fault[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly hung = new Set<http.ServerResponse>();

  constructor(options: FakeBotApiOptions = {}) {
    this.token = options.token ?? "123456:TEST-token_abc";
    this.username = options.username ?? "pivot_test_bot";
  }

  /** Starts listening on 127.0.0.1 (any free port, or the one it had before going offline). */
  async start(): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** The `telegram.api_root` to use: http://127.0.0.1:<port>. */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops listening and drops every connection: Telegram is unreachable (connection refused). */
  async goOffline(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const wake of this.waiters) wake();
    this.hung.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async goOnline(): Promise<void> {
    if (!this.server) await this.start();
  }

  /** Stops for good. */
  async close(): Promise<void> {
    await this.goOffline();
  }

  /** The next `count` calls (of `method`, or any) answer 429 Too Many Requests with retry_after. */
  failWith429(retryAfterSeconds: number, count = 1, method: string | null = "sendMessage"): void {
    for (let i = 0; i < count; i++) {
      this.faults.push({
        method,
        status: 429,
        retryAfter: retryAfterSeconds,
        description: `Too Many Requests: retry after ${retryAfterSeconds}`,
        hang: false,
      });
    }
  }

  /** The next `count` calls (of `method`, or any) answer a 5xx in the Bot API's JSON form. */
  failWith5xx(status = 500, count = 1, method: string | null = "sendMessage"): void {
    for (let i = 0; i < count; i++) {
      this.faults.push({
        method,
        status,
        retryAfter: null,
        description: "Internal Server Error",
        hang: false,
      });
    }
  }

  /** The next call of `method` is received (and acted on) but never answered. */
  hangNext(method = "sendMessage"): void {
    this.faults.push({ method, status: 200, retryAfter: null, description: "", hang: true });
  }

  /** A user writes `text` in a private chat (a leading /command gets its bot_command entity). */
  sendUserMessage(chatId: number | string, text: string): void {
    const id = Number(chatId);
    const command = /^\/[A-Za-z0-9_]+(@\w+)?/.exec(text);
    this.push({
      message: {
        message_id: this.nextMessageId++,
        from: { id, is_bot: false, first_name: "Trader" },
        chat: { id, type: "private", first_name: "Trader" },
        date: 1_757_000_000,
        text,
        ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
      },
    });
  }

  /** A user presses an inline button of a message the bot sent. Returns the callback query id. */
  pressButton(chatId: number | string, message: SentMessage, data: string): string {
    const id = Number(chatId);
    const queryId = `cb${this.nextCallbackId++}`;
    this.push({
      callback_query: {
        id: queryId,
        from: { id, is_bot: false, first_name: "Trader" },
        chat_instance: `ci${id}`,
        data,
        message: {
          message_id: message.messageId,
          from: { id: 1, is_bot: true, first_name: "Pivot", username: this.username },
          chat: { id, type: "private", first_name: "Trader" },
          date: 1_757_000_000,
          text: message.text ?? "",
        },
      },
    });
    return queryId;
  }

  /** Messages sent or edited in one chat. */
  sentTo(chatId: number | string): SentMessage[] {
    return this.sent.filter((m) => m.chatId === String(chatId));
  }

  /** Updates not yet confirmed by the bot (an offset past them). */
  pendingUpdates(): number {
    return this.updates.length;
  }

  private push(update: Record<string, unknown>): void {
    this.updates.push({ update_id: this.nextUpdateId++, ...update });
    for (const wake of this.waiters) wake();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
      if (!m) return reply(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      const [, token, method] = m as unknown as [string, string, string];
      this.calls.push(method);
      if (token !== this.token)
        return reply(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
      let params: Record<string, unknown> = {};
      try {
        const body = Buffer.concat(chunks).toString("utf8");
        params = body === "" ? {} : (JSON.parse(body) as Record<string, unknown>);
      } catch {
        return reply(res, 400, { ok: false, error_code: 400, description: "Bad Request: invalid JSON" });
      }
      const fault = this.takeFault(method);
      if (fault && !fault.hang) {
        return reply(res, fault.status, {
          ok: false,
          error_code: fault.status,
          description: fault.description,
          ...(fault.retryAfter === null ? {} : { parameters: { retry_after: fault.retryAfter } }),
        });
      }
      void this.answer(method, params).then(([status, body]) => {
        if (fault?.hang) {
          this.hung.add(res);
          return;
        }
        reply(res, status, body);
      });
    });
  }

  private takeFault(method: string): Fault | null {
    const i = this.faults.findIndex((f) => f.method === null || f.method === method);
    if (i < 0 || (method === "getUpdates" && this.faults[i]?.method === null)) return null;
    return this.faults.splice(i, 1)[0] ?? null;
  }

  private async answer(method: string, p: Record<string, unknown>): Promise<[number, unknown]> {
    const ok = (result: unknown): [number, unknown] => [200, { ok: true, result }];
    const bad = (description: string): [number, unknown] => [
      400,
      { ok: false, error_code: 400, description: `Bad Request: ${description}` },
    ];
    switch (method) {
      case "getMe":
        return ok({ id: 1, is_bot: true, first_name: "Pivot", username: this.username });
      case "deleteWebhook":
      case "close":
        return ok(true);
      case "setMyCommands":
        this.commands = (p.commands as typeof this.commands) ?? [];
        return ok(true);
      case "getUpdates":
        return ok(await this.getUpdates(p));
      case "sendMessage":
      case "editMessageText": {
        const text = typeof p.text === "string" ? p.text : "";
        if (text === "") return bad("message text is empty");
        if (text.length > 4096) return bad("message is too long");
        if (p.parse_mode === "HTML") {
          const problem = htmlProblem(text);
          if (problem) return bad(`can't parse entities: ${problem}`);
        }
        return ok(this.record(method, p, text));
      }
      case "editMessageReplyMarkup":
        return ok(this.record(method, p, null));
      case "answerCallbackQuery":
        this.answeredCallbacks.push([
          String(p.callback_query_id),
          typeof p.text === "string" ? p.text : null,
        ]);
        return ok(true);
      default:
        return [404, { ok: false, error_code: 404, description: "Not Found: method not found" }];
    }
  }

  private record(method: string, p: Record<string, unknown>, text: string | null): Record<string, unknown> {
    const messageId = method === "sendMessage" ? this.nextMessageId++ : Number(p.message_id);
    const markup = p.reply_markup as {
      inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>>;
    };
    const buttons = markup?.inline_keyboard
      ? markup.inline_keyboard.map((row) => row.map((b): [string, string] => [b.text, b.callback_data ?? ""]))
      : null;
    this.sent.push({
      method,
      chatId: String(p.chat_id),
      messageId,
      text,
      parseMode: typeof p.parse_mode === "string" ? p.parse_mode : null,
      buttons,
    });
    return {
      message_id: messageId,
      from: { id: 1, is_bot: true, first_name: "Pivot", username: this.username },
      chat: { id: Number(p.chat_id), type: "private" },
      date: 1_757_000_000,
      text: text ?? "",
    };
  }

  /** Long polling: confirms updates below `offset`, answers at once when some wait, else holds. */
  private async getUpdates(p: Record<string, unknown>): Promise<unknown[]> {
    const offset = typeof p.offset === "number" ? p.offset : 0;
    while (this.updates.length > 0 && (this.updates[0]?.update_id ?? 0) < offset) this.updates.shift();
    const timeoutS = typeof p.timeout === "number" ? p.timeout : 0;
    if (this.updates.length === 0 && timeoutS > 0 && this.server) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, timeoutS * 1000);
        this.waiters.add(wake);
      });
    }
    const limit = typeof p.limit === "number" && p.limit > 0 ? p.limit : 100;
    return this.updates.slice(0, limit);
  }
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
