import { existsSync } from "node:fs";
import type { Command } from "commander";
import { writeFileAtomic } from "../../adapters/kite/atomic-file.js";
import { configForCommand } from "../load-config.js";
import { dateOption } from "../options.js";
import { UserError } from "../user-error.js";

/*
 * `pivot db backup` (a consistent copy while the service runs) and `pivot db export` (one table
 * as CSV or JSON). Both only read the database.
 */

interface BackupFlags {
  out: string;
  config?: string;
  force?: boolean;
}

interface ExportFlags {
  table: string;
  format: string;
  from?: string;
  to?: string;
  out?: string;
  config?: string;
  force?: boolean;
}

const TABLES = ["trades", "signals", "orders", "daily_summary"] as const;

/** Registers `pivot db backup` and `pivot db export`. */
export function registerDb(program: Command): void {
  const db = program.command("db").description("back up or export the database");

  db.command("backup")
    .description("copy the database (SQLite online backup: safe while the service runs)")
    .requiredOption("--out <file>", "the backup file")
    .option("--force", "replace an existing file")
    .option("--config <file>", "configuration file (default ./config.json), for data.database_path")
    .action(async (flags: BackupFlags) => {
      const config = configForCommand(flags.config);
      const { backupDatabase } = await import("../../ops/db/backup.js");
      const r = await userErrors(() =>
        backupDatabase({ source: config.data.database_path, out: flags.out, force: flags.force === true }),
      );
      const counts = Object.entries(r.tables)
        .filter(([name]) => (TABLES as readonly string[]).includes(name))
        .map(([name, n]) => `${name} ${n}`)
        .join(", ");
      process.stdout.write(
        `backup of ${config.data.database_path} written to ${r.out} (${(r.bytes / 1024).toFixed(0)} KB, integrity ok; ${counts})\n`,
      );
    });

  db.command("export")
    .description("write one table as CSV or JSON")
    .requiredOption("--table <name>", `one of ${TABLES.join(", ")}`)
    .option("--format <format>", "csv or json", "csv")
    .option("--from <date>", "first trading date, YYYY-MM-DD (IST)", (v) => dateOption("--from", v))
    .option("--to <date>", "last trading date, YYYY-MM-DD (IST)", (v) => dateOption("--to", v))
    .option("--out <file>", "write a file (atomically) instead of stdout")
    .option("--force", "replace an existing --out file")
    .option("--config <file>", "configuration file (default ./config.json), for data.database_path")
    .action(async (flags: ExportFlags) => {
      if (!(TABLES as readonly string[]).includes(flags.table))
        throw new UserError(`--table: expected one of ${TABLES.join(", ")}, found "${flags.table}"`);
      if (flags.format !== "csv" && flags.format !== "json")
        throw new UserError(`--format: expected csv or json, found "${flags.format}"`);
      if (flags.out && existsSync(flags.out) && !flags.force)
        throw new UserError(`${flags.out} exists: choose another --out, or add --force`);
      const config = configForCommand(flags.config);
      const { exportTable } = await import("../../ops/db/export.js");
      const r = await userErrors(async () =>
        exportTable({
          database: config.data.database_path,
          table: flags.table as (typeof TABLES)[number],
          format: flags.format as "csv" | "json",
          ...(flags.from ? { from: flags.from } : {}),
          ...(flags.to ? { to: flags.to } : {}),
        }),
      );
      if (!flags.out) {
        process.stdout.write(r.text);
        return;
      }
      try {
        writeFileAtomic(flags.out, r.text, { mode: 0o600 });
      } catch (e) {
        throw new UserError(`cannot write ${flags.out}: ${(e as NodeJS.ErrnoException).code ?? e}`);
      }
      process.stderr.write(`${r.rows} row(s) of ${flags.table} written to ${flags.out}\n`);
    });
}

/** The database module's DbReadError is the user's error. */
async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  const { DbReadError } = await import("../../ops/db/open-readonly.js");
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DbReadError) throw new UserError(e.message);
    throw e;
  }
}
