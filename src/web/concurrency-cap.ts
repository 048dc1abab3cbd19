/*
 * At most `limit` of something at once, refused (not queued) beyond. The dashboard login uses
 * it for scrypt: each check holds ~32 MB and a libuv thread for ~0.1 s, so a crowd of guesses
 * from many addresses, each within its own per-address limit, could otherwise take every
 * thread (file and DNS work wait on the same pool) and the memory of a small server.
 */
export class ConcurrencyCap {
  private running = 0;

  constructor(private readonly limit: number) {}

  /** A slot, as the function that gives it back (call it once, when done); null when all are taken. */
  tryEnter(): (() => void) | null {
    if (this.running >= this.limit) return null;
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
    };
  }

  /** Slots taken now. */
  get inUse(): number {
    return this.running;
  }
}
