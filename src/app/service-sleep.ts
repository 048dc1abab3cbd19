import { type Sleep, timerSleep } from "../adapters/kite/rate-limiter.js";
import { realSetTimer, type SetTimer } from "../ports/timer.js";

/**
 * The Kite client's waits (its rate limiter, the back-off after a 429 or a 5xx, the look-ups of
 * an order whose answer was lost) in the service's own time. Against a simulator replaying at
 * 60 × real time, a 1 s back-off in real time is a market minute: a stop's refusal would stay
 * unread for minutes of the replayed day, where on a real day it costs a second. The rate
 * limiter already counts in the service's clock, so its waits must pass in it too.
 *
 * Never longer than the same wait in real time: a paused or finished replay must not hold a
 * request (and the service's stop, which waits for requests in flight) for ever.
 */
export function serviceSleep(setTimer: SetTimer): Sleep {
  if (setTimer === realSetTimer) return timerSleep;
  return (ms) =>
    new Promise<void>((resolve) => {
      const wait = Math.max(0, ms);
      let cancelMarket = () => {};
      const real = setTimeout(() => {
        cancelMarket();
        resolve();
      }, wait);
      cancelMarket = setTimer(wait, () => {
        clearTimeout(real);
        resolve();
      });
    });
}
