/*
 * A log destination that never stops the service: while the file takes lines they go to it;
 * the first time it fails (disk full, folder unwritable, file removed under a read-only
 * mount) the failure is announced once, and every later line goes to the fallback (stderr,
 * which systemd keeps in the journal). Trading does not depend on its logs.
 */

/** The part of a sonic-boom stream used here. */
export interface FileStream {
  write(data: string): boolean;
  on(event: "error", listener: (error: Error) => void): unknown;
  once(event: "close", listener: () => void): unknown;
  end(): void;
}

export interface FailSafeOptions {
  /** Where lines go once the file has failed. */
  fallback: (line: string) => void;
  /** Told once, at the first failure (the logger writes it to stderr and the service alerts). */
  onFailure: (message: string) => void;
  /** What the file is, for the message. */
  describe: string;
}

/** Lines to a file, and to the fallback once the file has failed. */
export class FailSafeDestination {
  private file: FileStream | null = null;
  private failed = false;

  constructor(private readonly options: FailSafeOptions) {}

  /** Starts writing to `file`; a stream that fails later switches to the fallback. */
  attach(file: FileStream): void {
    this.file = file;
    file.on("error", (e) => this.fail(e));
  }

  /** The file could not even be opened. */
  fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const code = (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? String(error);
    this.options.onFailure(
      `cannot write the log file ${this.options.describe} (${code}): logging to stderr from now on; trading continues`,
    );
    const file = this.file;
    this.file = null;
    try {
      file?.end();
    } catch {
      // the stream is broken already
    }
  }

  /** True once the file has failed. */
  get degraded(): boolean {
    return this.failed;
  }

  write(line: string): boolean {
    if (this.file && !this.failed) {
      try {
        this.file.write(line);
        return true;
      } catch (e) {
        this.fail(e);
      }
    }
    this.options.fallback(line);
    return true;
  }

  /** Writes out what the file still buffers and closes it (at most `timeoutMs`). */
  async close(timeoutMs = 2000): Promise<void> {
    const file = this.file;
    this.file = null;
    if (!file || this.failed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      file.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        file.end(); // sonic-boom writes its buffer out before closing
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
