import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { writeFileAtomic } from "../../adapters/kite/atomic-file.js";
import { PRIVATE_FILE_MODE } from "../../adapters/private-files.js";
import { DEFAULT_CONFIG_PATH, parseConfig } from "../../config/load.js";
import { UserError } from "../user-error.js";

/*
 * `pivot set-password`: the dashboard password. It asks twice without echo on a terminal, or
 * reads one line from stdin (`echo "$PW" | pivot set-password`), and writes the password's
 * scrypt hash into server.password_hash of the configuration file, keeping every other key
 * (and the file's indentation and permissions). The password and the hash are never printed.
 */

export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 1024;

interface SetPasswordFlags {
  config?: string;
}

/** A terminal or a pipe to read the password from. */
export interface PasswordInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

/** What a test may replace. */
export interface SetPasswordDeps {
  input?: PasswordInput;
  out?: (text: string) => void;
  /** Prompts go here (stderr), so that stdout stays clean. */
  err?: (text: string) => void;
  /** The hash function (tests pass a cheap one). */
  hash?: (password: string) => Promise<string>;
}

/** Registers `pivot set-password`. */
export function registerSetPassword(program: Command): void {
  program
    .command("set-password")
    .description(
      "set the dashboard password: asks twice (or reads a line from stdin) and writes its scrypt hash to server.password_hash",
    )
    .option("--config <file>", "configuration file (default ./config.json)")
    .action((flags: SetPasswordFlags) => setPasswordCommand(flags));
}

/** Reads the password, hashes it and writes it into the configuration file. */
export async function setPasswordCommand(flags: SetPasswordFlags, deps: SetPasswordDeps = {}): Promise<void> {
  const input = deps.input ?? (process.stdin as PasswordInput);
  const out = deps.out ?? ((t: string) => void process.stdout.write(t));
  const err = deps.err ?? ((t: string) => void process.stderr.write(t));
  const path = flags.config ?? DEFAULT_CONFIG_PATH;

  // Read and check the file first: a broken file is reported before the password is typed.
  const file = readConfigObject(path);

  let password: string;
  if (input.isTTY && input.setRawMode) {
    password = await promptHidden(input, err, "New dashboard password: ");
    const again = await promptHidden(input, err, "The same again: ");
    if (again !== password) throw new UserError("the two passwords differ; nothing was changed");
  } else {
    password = await firstLine(input);
  }
  checkPassword(password);

  const hash = await (deps.hash ?? defaultHash)(password);
  const server = (file.object.server as Record<string, unknown> | undefined) ?? {};
  file.object.server = { ...server, password_hash: hash };
  try {
    // Owner-only whatever the file's mode was: it now holds the password's hash.
    writeFileAtomic(path, `${JSON.stringify(file.object, null, file.indent)}\n`, { mode: PRIVATE_FILE_MODE });
  } catch (e) {
    throw new UserError(
      `${path}: cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  out(
    `Dashboard password set: server.password_hash ${file.existed ? "written to" : "written to a new"} ${path}. ` +
      "Restart the service to use it.\n",
  );
  const check = parseConfig(file.object);
  if (!check.ok) {
    err(
      `warning: ${path} has other problems to fix before pivot start:\n${check.errors.map((e) => `  - ${e}`).join("\n")}\n`,
    );
  }
}

async function defaultHash(password: string): Promise<string> {
  const { hashPassword } = await import("../../web/password-hash.js");
  return hashPassword(password);
}

/** The configuration file as an object, with how to write it back (indentation). */
function readConfigObject(path: string): {
  object: Record<string, unknown>;
  indent: string | number;
  existed: boolean;
} {
  if (!existsSync(path)) return { object: {}, indent: 2, existed: false };
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UserError(
      `${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new UserError(`${path}: not valid JSON; fix it first (nothing was changed)`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`${path}: expected a JSON object; nothing was changed`);
  }
  const object = parsed as Record<string, unknown>;
  const server = object.server;
  if (server !== undefined && (typeof server !== "object" || server === null || Array.isArray(server))) {
    throw new UserError(`${path}: "server" is not an object; fix it first (nothing was changed)`);
  }
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? 2;
  return { object, indent, existed: true };
}

function checkPassword(password: string): void {
  if (password === "") throw new UserError("no password given; nothing was changed");
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new UserError(`the password is too short: use at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new UserError(`the password is too long: at most ${MAX_PASSWORD_LENGTH} characters`);
  }
}

/** The first line of a piped input (without its line ending). */
function firstLine(input: PasswordInput): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const done = () => {
      input.off("data", onData);
      input.off("end", done);
      input.off("error", onError);
      input.pause();
      resolve((text.split("\n", 1)[0] ?? "").replace(/\r$/, ""));
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (text.includes("\n")) done();
    };
    const onError = (e: Error) => reject(new UserError(`cannot read the password: ${e.message}`));
    input.on("data", onData);
    input.on("end", done);
    input.on("error", onError);
    input.resume();
  });
}

/** Asks for a line on a terminal without echoing it (raw mode; backspace works; Ctrl-C cancels). */
function promptHidden(input: PasswordInput, err: (t: string) => void, prompt: string): Promise<string> {
  err(prompt);
  return new Promise((resolve, reject) => {
    let text = "";
    input.setRawMode?.(true);
    const finish = (result: string | Error) => {
      input.off("data", onData);
      input.setRawMode?.(false);
      input.pause();
      err("\n");
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === "\r" || ch === "\n") return finish(text);
        if (ch === "\u0003" || (ch === "\u0004" && text === "")) {
          return finish(new UserError("cancelled; nothing was changed", 130));
        }
        if (ch === "\u007f" || ch === "\b") text = [...text].slice(0, -1).join("");
        else if (ch >= " ") text += ch;
      }
    };
    input.on("data", onData);
    input.resume();
  });
}
