/*
 * Telegram's HTML parse mode: only <b>, <i>, <code>, <pre>, <a href> and a few more tags, and
 * every <, > and & of the text escaped. A value that is not escaped makes Telegram refuse the
 * whole message, so every value goes through `esc` (or the `html` tag, which does it).
 */

/** Telegram's longest message text, in UTF-16 code units. */
export const MAX_MESSAGE_LENGTH = 4096;

/** Escapes text for HTML parse mode (also quotes, so it is safe inside href="…"). */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;",
  );
}

/** A template tag that escapes every interpolated value: html`<b>${name}</b>`. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += esc(values[i]) + (strings[i + 1] ?? "");
  return out;
}

/** The text a reader sees: tags dropped, entities decoded (for the log). */
export function toPlainText(htmlText: string): string {
  return htmlText
    .replace(/<a href="([^"]*)">([^<]*)<\/a>/g, (_, href: string, label: string) =>
      label === href ? label : `${label} (${href})`,
    )
    .replace(/<[^>]+>/g, "")
    .replace(/&(lt|gt|quot|amp);/g, (_, e: string) =>
      e === "lt" ? "<" : e === "gt" ? ">" : e === "quot" ? '"' : "&",
    );
}

/**
 * Splits a long HTML text into messages Telegram accepts, at line breaks (a line is never cut
 * inside a tag: each line of our messages closes the tags it opens). A single line longer
 * than the limit is cut as plain text.
 */
export function splitMessage(text: string, limit = MAX_MESSAGE_LENGTH): string[] {
  if (text.length <= limit) return [text];
  const parts: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    const candidate = current === "" ? line : `${current}\n${line}`;
    if (candidate.length <= limit) {
      current = candidate;
      continue;
    }
    if (current !== "") parts.push(current);
    if (line.length <= limit) {
      current = line;
    } else {
      parts.push(...cutPlain(toPlainText(line), limit));
      current = "";
    }
  }
  if (current !== "") parts.push(current);
  return parts;
}

/** Plain text cut into escaped pieces of at most `limit` characters (an entity is never cut). */
function cutPlain(plain: string, limit: number): string[] {
  const pieces: string[] = [];
  let piece = "";
  for (const ch of plain) {
    const e = esc(ch);
    if (piece.length + e.length > limit) {
      pieces.push(piece);
      piece = "";
    }
    piece += e;
  }
  if (piece !== "") pieces.push(piece);
  return pieces;
}
