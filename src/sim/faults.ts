/**
 * Fault injection (`POST /__sim/fault`, `injectFault()`): the failures a trading system meets
 * at the broker, on demand, so that rehearsals and tests can show it copes with each.
 */
import { z } from "zod";
import { KiteError } from "./kite-errors.js";

const count = z.number().int().min(1).max(100_000);
const rejectionText = z.string().min(1).max(500).optional();

/** Every fault the simulator can inject; `clear` removes the pending ones. */
export const faultSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("drop_socket") }),
  z.strictObject({ kind: z.literal("silence_socket"), seconds: z.number().positive().max(3600) }),
  z.strictObject({ kind: z.literal("http_429"), count: count.default(1) }),
  z.strictObject({
    kind: z.literal("http_5xx"),
    count: count.default(1),
    status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(503),
  }),
  z.strictObject({
    kind: z.literal("latency"),
    ms: z.number().int().min(0).max(120_000),
    count: count.optional(),
  }),
  z.strictObject({ kind: z.literal("reject_next_order"), message: rejectionText }),
  // Only the next protective stop (SL / SL-M), only the next exit (a SELL that is not a stop),
  // only the next modification: the failures that leave a held position without cover.
  z.strictObject({ kind: z.literal("reject_next_stop"), message: rejectionText }),
  z.strictObject({ kind: z.literal("reject_next_exit"), message: rejectionText }),
  z.strictObject({ kind: z.literal("reject_next_modify"), message: rejectionText }),
  z.strictObject({ kind: z.literal("partial_fill_next_order"), fraction: z.number().gt(0).lt(1) }),
  z.strictObject({ kind: z.literal("skip_postbacks"), count: count.default(1) }),
  z.strictObject({ kind: z.literal("expire_token") }),
  z.strictObject({ kind: z.literal("clear") }),
]);

/** A fault as a caller writes it (counts default to 1, http_5xx status to 503). */
export type Fault = z.input<typeof faultSchema>;
type ParsedFault = z.output<typeof faultSchema>;

/** Parses a fault; the message lists what is wrong. */
export function parseFault(
  value: unknown,
): { ok: true; fault: ParsedFault } | { ok: false; message: string } {
  const r = faultSchema.safeParse(value);
  if (r.success) return { ok: true, fault: r.data };
  const issues = r.error.issues.map((i) => `${i.path.join(".") || "fault"}: ${i.message}`);
  return { ok: false, message: `invalid fault: ${issues.join("; ")}` };
}

/** Default rejection text: Kite's wording for an RMS margin rejection. */
export const DEFAULT_REJECTION =
  "Insufficient funds. Required margin is 95417.84 but available margin is 74251.80. Check the orderbook for open orders.";

const SERVER_ERRORS: Record<number, KiteError> = {
  500: new KiteError(500, "GeneralException", "Something unexpected went wrong."),
  502: new KiteError(
    502,
    "NetworkException",
    "The backend OMS is down and the API is unable to communicate with it.",
  ),
  503: new KiteError(503, "NetworkException", "Service unavailable. The API is down."),
  504: new KiteError(504, "NetworkException", "Gateway timeout. The API is unreachable."),
};

/** Default text of a refused modification (Kite's wording for an order it will not change). */
export const DEFAULT_MODIFY_REJECTION = "Order cannot be modified. Please try again.";

/** What a rejection fault needs to know of the order being placed. */
export interface PlacedOrderKind {
  transactionType: "BUY" | "SELL";
  orderType: string;
}

/** What `applyFault` acts on at once. */
export interface FaultTargets {
  dropSockets(): void;
  expireTokens(): void;
}

/** The pending faults. Counters go down as the calls they target happen. */
export class FaultState {
  private http429 = 0;
  private http5xx = { count: 0, status: 503 };
  private latency: { ms: number; remaining: number | null } | null = null;
  private rejectNext: string | null = null;
  private rejectNextStop: string | null = null;
  private rejectNextExit: string | null = null;
  private rejectNextModify: string | null = null;
  private partialNext: number | null = null;
  private skipPostbacks = 0;
  private silencedUntil = 0;

  /** `now` is real time (silences last real seconds, whatever the replay speed). */
  constructor(private readonly now: () => number) {}

  /** Applies a parsed fault: arms the counters, or acts at once through `targets`. */
  apply(fault: ParsedFault, targets: FaultTargets): void {
    switch (fault.kind) {
      case "drop_socket":
        targets.dropSockets();
        break;
      case "silence_socket":
        this.silencedUntil = this.now() + fault.seconds * 1000;
        break;
      case "http_429":
        this.http429 += fault.count;
        break;
      case "http_5xx":
        this.http5xx = { count: this.http5xx.count + fault.count, status: fault.status };
        break;
      case "latency":
        this.latency = fault.ms > 0 ? { ms: fault.ms, remaining: fault.count ?? null } : null;
        break;
      case "reject_next_order":
        this.rejectNext = fault.message ?? DEFAULT_REJECTION;
        break;
      case "reject_next_stop":
        this.rejectNextStop = fault.message ?? DEFAULT_REJECTION;
        break;
      case "reject_next_exit":
        this.rejectNextExit = fault.message ?? DEFAULT_REJECTION;
        break;
      case "reject_next_modify":
        this.rejectNextModify = fault.message ?? DEFAULT_MODIFY_REJECTION;
        break;
      case "partial_fill_next_order":
        this.partialNext = fault.fraction;
        break;
      case "skip_postbacks":
        this.skipPostbacks += fault.count;
        break;
      case "expire_token":
        targets.expireTokens();
        break;
      case "clear":
        this.http429 = 0;
        this.http5xx = { count: 0, status: 503 };
        this.latency = null;
        this.rejectNext = null;
        this.rejectNextStop = null;
        this.rejectNextExit = null;
        this.rejectNextModify = null;
        this.partialNext = null;
        this.skipPostbacks = 0;
        this.silencedUntil = 0;
        break;
    }
  }

  /** Delay for the next REST call (ms), counting it down. */
  takeLatency(): number {
    if (!this.latency) return 0;
    const ms = this.latency.ms;
    if (this.latency.remaining !== null && --this.latency.remaining <= 0) this.latency = null;
    return ms;
  }

  /** The error the next REST call must answer with instead of its result, if any. */
  takeHttpError(): "429" | KiteError | null {
    if (this.http429 > 0) {
      this.http429--;
      return "429";
    }
    if (this.http5xx.count > 0) {
      this.http5xx.count--;
      return SERVER_ERRORS[this.http5xx.status] as KiteError;
    }
    return null;
  }

  /**
   * The rejection message for the order being placed, if one is armed for it: a stop's or an
   * exit's own rejection first (consumed only by such an order), else the next order's.
   */
  takeRejection(order: PlacedOrderKind): string | null {
    const isStop = order.orderType === "SL" || order.orderType === "SL-M";
    if (isStop && this.rejectNextStop !== null) {
      const m = this.rejectNextStop;
      this.rejectNextStop = null;
      return m;
    }
    if (!isStop && order.transactionType === "SELL" && this.rejectNextExit !== null) {
      const m = this.rejectNextExit;
      this.rejectNextExit = null;
      return m;
    }
    const m = this.rejectNext;
    this.rejectNext = null;
    return m;
  }

  /** The refusal of the modification being asked, if one is armed. */
  takeModifyRejection(): string | null {
    const m = this.rejectNextModify;
    this.rejectNextModify = null;
    return m;
  }

  /**
   * The fraction to fill first of an order of `lots` lots, if one is armed. Fills come in whole
   * lots, so an order of one lot cannot be split: the fault then waits for a bigger order.
   */
  takePartialFill(lots: number): number | null {
    if (this.partialNext === null || lots < 2) return null;
    const f = this.partialNext;
    this.partialNext = null;
    return f;
  }

  /** True when this postback must be skipped (counting it). */
  takeSkipPostback(): boolean {
    if (this.skipPostbacks <= 0) return false;
    this.skipPostbacks--;
    return true;
  }

  /** True while sockets must stay silent. */
  isSilenced(): boolean {
    return this.now() < this.silencedUntil;
  }

  /** The pending faults, for `state()`. */
  snapshot() {
    return {
      http_429: this.http429,
      http_5xx: this.http5xx.count > 0 ? { ...this.http5xx } : null,
      latency: this.latency ? { ...this.latency } : null,
      reject_next_order: this.rejectNext,
      reject_next_stop: this.rejectNextStop,
      reject_next_exit: this.rejectNextExit,
      reject_next_modify: this.rejectNextModify,
      partial_fill_next_order: this.partialNext,
      skip_postbacks: this.skipPostbacks,
      silenced_for_ms: Math.max(0, this.silencedUntil - this.now()),
    };
  }
}
