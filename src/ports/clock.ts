/**
 * The one source of time. Nothing else reads the system clock: backtests and tests pass a
 * clock they control, the service passes `systemClock`.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The wall clock: the only place that reads the system time. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to (tests, simulations). */
export class ManualClock implements Clock {
  constructor(private epochMs: number) {}

  now(): number {
    return this.epochMs;
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.epochMs += ms;
  }

  /** Sets the clock to an instant. */
  set(epochMs: number): void {
    this.epochMs = epochMs;
  }
}
