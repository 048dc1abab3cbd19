/*
 * Named points at which the crash tests kill the service with SIGKILL, as an out-of-memory
 * kill or a power cut would: between writing an order and sending it, after sending it before
 * linking the answer, after a fill, during an exit. Inactive unless the process was started
 * with PIVOT_CRASH_AT="<point>#<n>" (die the n-th time `point` is passed); the tests start
 * `pivot start` that way and then start it again without it. Read from the environment, once,
 * because the kill must come from inside the process at exactly that line.
 */

let target: { point: string; remaining: number } | null | undefined;

function parseTarget(text: string | undefined): { point: string; remaining: number } | null {
  const m = /^([\w:.-]+)#(\d+)$/.exec(text ?? "");
  return m ? { point: m[1] as string, remaining: Number(m[2]) } : null;
}

/** Passes the named point; kills the process when it is the crash test's target. */
export function crashPoint(point: string): void {
  if (target === undefined) target = parseTarget(process.env.PIVOT_CRASH_AT);
  if (target === null || target.point !== point) return;
  target.remaining -= 1;
  if (target.remaining <= 0) process.kill(process.pid, "SIGKILL");
}
