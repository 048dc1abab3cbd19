/*
 * The ticker's connection URL: the API key and the access token go in its query, so the token
 * is masked wherever the URL is shown.
 */

/** The connection URL with `api_key` and `access_token` set (existing query parameters kept). */
export function tickerUrl(base: string, apiKey: string, accessToken: string): string {
  const url = new URL(base);
  url.searchParams.set("api_key", apiKey);
  url.searchParams.set("access_token", accessToken);
  return url.toString();
}

/** A URL with its access token replaced by `***`, for logs. */
export function maskToken(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/g, "$1***");
}
