/*
 * Two things the trader is told about that no trading step notices: the market feed dropping
 * during the session (and coming back), and the TLS certificate nearing its end (the old
 * system once went dark when a renewal had silently failed).
 */

import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Clock } from "../ports/clock.js";
import type { Notifier, Reminder } from "../ports/notifier.js";
import type { SetTimer } from "../ports/timer.js";

/** A feed down this long is reported (a reconnect within seconds is routine, not news). */
export const FEED_LOST_AFTER_MS = 10_000;
/** The certificate is reminded of from this many days before it ends. */
export const CERTIFICATE_REMIND_DAYS = 14;

const DAY_MS = 86_400_000;

/** The ticker's connection events, as the watch needs them. */
export interface FeedEvents {
  on(event: "connected", listener: () => void): unknown;
  on(event: "disconnected", listener: () => void): unknown;
  readonly stats: { readonly lastFrameAt: number | null };
}

/**
 * Tells `feed_lost` when the ticker stays disconnected for FEED_LOST_AFTER_MS during market
 * hours, and `feed_restored` when it connects again after that; returns the stop function.
 */
export function watchFeed(
  feed: FeedEvents,
  notifier: Notifier,
  clock: Clock,
  setTimer: SetTimer,
  marketHours: () => boolean,
): () => void {
  let cancel: (() => void) | null = null;
  let lostAt: number | null = null;
  let stopped = false;
  feed.on("disconnected", () => {
    if (stopped || cancel || lostAt !== null || !marketHours()) return;
    const since = clock.now();
    cancel = setTimer(FEED_LOST_AFTER_MS, () => {
      cancel = null;
      if (stopped) return;
      lostAt = since;
      notifier.notify({ kind: "feed_lost", at: clock.now(), lastTickAt: feed.stats.lastFrameAt });
    });
  });
  feed.on("connected", () => {
    cancel?.();
    cancel = null;
    if (stopped || lostAt === null) return;
    notifier.notify({ kind: "feed_restored", at: clock.now(), lostAt });
    lostAt = null;
  });
  return () => {
    stopped = true;
    cancel?.();
  };
}

/**
 * The reminder for the certificate in `certFile` when it ends within CERTIFICATE_REMIND_DAYS
 * (or has ended); null when it is further off, or when there is no readable certificate (the
 * doctor reports that).
 */
export function certificateReminder(certFile: string, domain: string, nowMs: number): Reminder | null {
  if (certFile === "") return null;
  let validTo: number;
  try {
    validTo = Date.parse(new X509Certificate(readFileSync(certFile)).validTo);
  } catch {
    return null;
  }
  const daysLeft = Math.floor((validTo - nowMs) / DAY_MS);
  if (!Number.isFinite(daysLeft) || daysLeft >= CERTIFICATE_REMIND_DAYS) return null;
  const expiresOn = new Date(validTo + 330 * 60_000).toISOString().slice(0, 10);
  return { topic: "tls_certificate", domain, expiresOn, daysLeft };
}
