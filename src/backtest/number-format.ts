/**
 * An Intl.NumberFormat made on first use. The first formatter of a process loads ICU's locale
 * data (about 10 ms): modules that every `pivot` command loads (the report's helpers are
 * imported by several commands) must not pay it at import when the command prints no money.
 */
export function numberFormatOnUse(
  locale: string,
  options?: Intl.NumberFormatOptions,
): { format(n: number): string } {
  let format: Intl.NumberFormat | undefined;
  return {
    format: (n) => {
      format ??= new Intl.NumberFormat(locale, options);
      return format.format(n);
    },
  };
}
