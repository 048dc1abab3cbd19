import type { TestContext } from "node:test";
import { textTable } from "../../src/cli/text-table.js";

/*
 * The scripted attack table: every attack a security test tries, with what the service
 * answered and what it had to answer, printed as one table (in the test's output) and
 * asserted as a whole, so that a reader sees at a glance what was tried and how each attempt
 * was refused. Any test adds its attacks:
 *
 *   const attacks = new AttackTable("postbacks");
 *   await attacks.try("§3 replay", "the same body 100 times", 429, async () => (await inject()).statusCode);
 *   attacks.note("§3 doctored", "a fill claimed at ₹1", "UNCONFIRMED", verdict);
 *   attacks.report(t); // prints the table, then fails listing every attack that got through
 */

/** One attack tried. */
export interface AttackRow {
  /** The hole it probes, e.g. "§3 replay". */
  hole: string;
  attack: string;
  /** What a refusal looks like (a status, or a word such as "UNCONFIRMED"). */
  expected: string;
  got: string;
}

type Outcome = number | string;

function matches(expected: Outcome | readonly Outcome[], got: Outcome): boolean {
  return (Array.isArray(expected) ? expected : [expected]).some((e) => String(e) === String(got));
}

function text(expected: Outcome | readonly Outcome[]): string {
  return Array.isArray(expected) ? expected.map(String).join(" or ") : String(expected);
}

/** The attacks of a test and their outcomes. */
export class AttackTable {
  readonly rows: AttackRow[] = [];

  constructor(readonly title: string) {}

  /** Runs one attack; its outcome (usually an HTTP status) is recorded and returned. A throw is recorded as "threw: …". */
  async try(
    hole: string,
    attack: string,
    expected: Outcome | readonly Outcome[],
    attempt: () => Promise<Outcome>,
  ): Promise<Outcome> {
    let got: Outcome;
    try {
      got = await attempt();
    } catch (e) {
      got = `threw: ${e instanceof Error ? e.message : String(e)}`;
    }
    this.note(hole, attack, expected, got);
    return got;
  }

  /** Records an attack whose outcome the test found out itself. */
  note(hole: string, attack: string, expected: Outcome | readonly Outcome[], got: Outcome): void {
    this.rows.push({ hole, attack, expected: text(expected), got: String(got) });
    if (!matches(expected, got)) this.failures.push(this.rows.length - 1);
  }

  private readonly failures: number[] = [];

  /** The table as text: hole, attack, expected, got, and ✓ or ✗ GOT THROUGH. */
  render(): string {
    const rows = this.rows.map((r, i) => [
      r.hole,
      r.attack,
      r.expected,
      r.got,
      this.failures.includes(i) ? "✗ GOT THROUGH" : "✓",
    ]);
    return `${this.title}: ${this.rows.length} attacks\n${textTable(["hole", "attack", "expected", "got", ""], rows)}`;
  }

  /** Prints the table (as the test's diagnostics, else on stdout), then throws if any attack got through. */
  report(t?: Pick<TestContext, "diagnostic">): void {
    const table = this.render();
    if (t) for (const line of table.split("\n")) t.diagnostic(line);
    else process.stdout.write(`${table}\n`);
    if (this.failures.length > 0) {
      const through = this.failures.map((i) => {
        const r = this.rows[i] as AttackRow;
        return `${r.hole}: ${r.attack}: expected ${r.expected}, got ${r.got}`;
      });
      throw new Error(`${through.length} attack(s) got through:\n${through.join("\n")}`);
    }
  }
}
