/** A progress bar with the time left, on a terminal only; redrawn at most every `everyMs`. */
export function progressWithEta(
  stream: NodeJS.WriteStream,
  label: string,
  now: () => number = Date.now,
  everyMs = 100,
): (done: number, total: number) => void {
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  return (done, total) => {
    if (!stream.isTTY || total === 0) return;
    const t = now();
    if (done < total && t - lastDraw < everyMs) return;
    lastDraw = t;
    stream.write(`\r${progressLine(label, done, total, t - started)}\x1b[K`);
    if (done >= total) stream.write("\n");
  };
}

/** `label [#####     ] 50% 100/200 ETA 4s`: the time left assumes the pace so far. */
export function progressLine(label: string, done: number, total: number, elapsedMs: number): string {
  const width = 30;
  const share = total === 0 ? 1 : done / total;
  const filled = Math.round(share * width);
  const eta =
    done === 0
      ? "ETA -"
      : done >= total
        ? `took ${seconds(elapsedMs)}`
        : `ETA ${seconds((elapsedMs / done) * (total - done))}`;
  return `${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${Math.floor(share * 100)}% ${done}/${total} ${eta}`;
}

function seconds(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
