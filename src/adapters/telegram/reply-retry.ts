/*
 * A command's answer that meets Telegram's rate limit (429 with `retry_after`). Answers are sent
 * straight back rather than through the outbox (see bot.ts), so without this a 429 loses them.
 * A short wait is worth it: the trader who typed /status is looking at the chat. A long one is
 * not: an answer that arrives minutes later describes a moment that has passed, so it is
 * dropped, with a log line. The answer is sent again at most once: a 429 means Telegram did not
 * take the message, so sending again cannot make it appear twice; other failures (a timeout,
 * a 5xx) may have delivered it and are not repeated.
 */

import { GrammyError } from "grammy";

/** The longest wait (seconds) after which an answer is still sent. */
export const MAX_REPLY_RETRY_AFTER_S = 30;

export type RetryableSend<T> = () => Promise<T>;

export interface ReplyRetryDeps {
  log: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The `retry_after` (seconds) of a 429 from the Bot API, else null. */
export function retryAfterOf(e: unknown): number | null {
  if (!(e instanceof GrammyError) || e.error_code !== 429) return null;
  const seconds = e.parameters.retry_after;
  return typeof seconds === "number" && seconds >= 0 ? seconds : null;
}

/**
 * Sends with `call`; after a 429 whose retry_after is at most 30 s, waits and sends once more.
 * Resolves to the call's result, or null when the answer was dropped (logged). Other errors
 * are thrown as they are.
 */
export async function sendOnceAfterRateLimit<T>(
  what: string,
  call: RetryableSend<T>,
  deps: ReplyRetryDeps,
): Promise<T | null> {
  try {
    return await call();
  } catch (e) {
    const wait = retryAfterOf(e);
    if (wait === null) throw e;
    if (wait > MAX_REPLY_RETRY_AFTER_S) {
      deps.log(
        `telegram: ${what} dropped: rate limited for ${wait} s (more than ${MAX_REPLY_RETRY_AFTER_S} s)`,
      );
      return null;
    }
    await (deps.sleep ?? realSleep)(wait * 1000);
    try {
      return await call();
    } catch (again) {
      if (retryAfterOf(again) === null) throw again;
      deps.log(`telegram: ${what} dropped: still rate limited after waiting ${wait} s`);
      return null;
    }
  }
}
