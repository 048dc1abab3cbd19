/**
 * Waiting, like time, is injected: the engine, the Telegram delivery and the housekeeping ask a
 * SetTimer to call them later, so that tests and simulations move time by hand.
 */

/** Calls `fn` once after `ms` milliseconds; returns a function that cancels it. */
export type SetTimer = (ms: number, fn: () => void) => () => void;

/** The wall-clock timer (the service's; tests pass a fake one). */
export const realSetTimer: SetTimer = (ms, fn) => {
  const handle = setTimeout(fn, ms);
  return () => clearTimeout(handle);
};
