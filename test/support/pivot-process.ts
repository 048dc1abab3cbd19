import { type ChildProcess, spawn } from "node:child_process";
import { CLI } from "./paths.js";

/**
 * `pivot start --mode live` in its own process (the built bundle), its output kept; started
 * with PIVOT_CRASH_AT when `crashAt` is given (src/engine/crash-points.ts), killed by the test.
 */
export class PivotProcess {
  readonly output: string[] = [];
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly child: ChildProcess;

  constructor(configPath: string, crashAt?: string) {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    if (crashAt) env.PIVOT_CRASH_AT = crashAt;
    else delete env.PIVOT_CRASH_AT;
    this.child = spawn(process.execPath, [CLI, "start", "--config", configPath, "--mode", "live"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (d: Buffer) => this.output.push(d.toString());
    this.child.stdout?.on("data", keep);
    this.child.stderr?.on("data", keep);
    this.child.on("exit", (code, signal) => {
      this.exit = { code, signal };
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.exit) this.child.kill(signal);
  }

  /** Resolves once the process has exited; fails after `ms`. */
  async exited(ms: number): Promise<void> {
    const until = performance.now() + ms;
    while (this.exit === null) {
      if (performance.now() > until) throw new Error("timed out waiting for pivot start to exit");
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
