import { isIP } from "node:net";
import type { FastifyRequest } from "fastify";

/*
 * Who is asking, and over what. nginx on the same host terminates TLS and proxies to us over
 * loopback, telling the real client's address and scheme in X-Forwarded-For / -Proto. Those
 * headers are believed only when the peer itself is loopback: from anywhere else they are
 * whatever the client chose to write. With one trusted proxy, the last X-Forwarded-For entry is
 * the one nginx appended (the peer it saw); entries before it came from the client.
 */

/** The client as this server understands it. */
export interface ClientInfo {
  /** The client's IP address (the proxy's word for it when the peer is a loopback proxy). */
  address: string;
  /** The request reached the proxy (or us) over HTTPS. */
  https: boolean;
  /** The request came through the local proxy (the peer is loopback and says it forwarded). */
  proxied: boolean;
}

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  return a === "::1" || (isIP(a) === 4 && a.startsWith("127."));
}

/** The last non-empty entry of a (possibly repeated) comma-separated header. */
function lastEntry(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const joined = Array.isArray(header) ? header.join(",") : header;
  const parts = joined
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  return parts[parts.length - 1];
}

/** The client of a request: its address and scheme, forwarded headers honoured only from loopback. */
export function clientOf(request: FastifyRequest): ClientInfo {
  const peer = request.socket.remoteAddress ?? "unknown";
  if (!isLoopback(peer)) return { address: peer, https: false, proxied: false };
  const forwardedFor = lastEntry(request.headers["x-forwarded-for"]);
  const forwardedProto = lastEntry(request.headers["x-forwarded-proto"])?.toLowerCase();
  const address = forwardedFor !== undefined && isIP(forwardedFor) !== 0 ? forwardedFor : peer;
  return {
    address,
    https: forwardedProto === "https",
    proxied: forwardedFor !== undefined || forwardedProto !== undefined,
  };
}
