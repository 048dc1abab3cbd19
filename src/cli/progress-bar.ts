/** A one-line progress bar on a terminal stream; silent on anything that is not a terminal. */
export function progressBar(
  stream: NodeJS.WriteStream,
  label: string,
  minTotal: number,
): (done: number, total: number) => void {
  let lastPercent = -1;
  return (done, total) => {
    if (!stream.isTTY || total < minTotal) return;
    const percent = Math.floor((done / total) * 100);
    if (percent === lastPercent) return;
    lastPercent = percent;
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    stream.write(
      `\r${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${percent}% ${done}/${total}`,
    );
    if (done >= total) stream.write("\n");
  };
}
