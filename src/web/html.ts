/*
 * The server's own small pages (login form, Kite callback, the fallback home page). Every
 * value put into a page goes through `escapeHtml`; pages carry no script (the CSP forbids
 * inline scripts anyway) and only one inline style sheet, PAGE_STYLE, which the CSP allows by
 * its hash (security-headers.ts): no other inline style runs.
 */

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Marks a piece of HTML as already safe (built from escaped parts). */
export interface SafeHtml {
  readonly html: string;
}

/** A SafeHtml from a template: interpolated strings are escaped, SafeHtml values kept. */
export function html(parts: TemplateStringsArray, ...values: Array<string | number | SafeHtml>): SafeHtml {
  let out = parts[0] ?? "";
  values.forEach((v, i) => {
    out += typeof v === "object" ? v.html : escapeHtml(String(v));
    out += parts[i + 1] ?? "";
  });
  return { html: out };
}

/** The style sheet of every server page (inline: the pages need no asset route). */
export const PAGE_STYLE = `body{font-family:system-ui,sans-serif;max-width:36em;margin:2em auto;padding:0 1em;line-height:1.45;color:#1b1f24}
h1{font-size:1.4em}.bad{color:#b3261e}.good{color:#1e6b31}
input,button{font-size:1em;padding:.5em;margin:.25em 0}input{width:100%;box-sizing:border-box}
code{background:#f0f2f4;padding:.1em .3em;border-radius:3px}`;

/** A whole page around `body`. */
export function page(title: string, body: SafeHtml): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pivot: ${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body.html}
</body></html>
`;
}
