import type { FastifyInstance } from "fastify";

/** Where the server ended up listening. */
export interface Listening {
  url: string;
  host: string;
  port: number;
}

/**
 * Puts the app on `host`:`port` (the caller resolves them: server.host, and server.port or
 * auth.callback_port). Rejects with a message naming the setting when the address cannot be
 * used (taken, not local).
 */
export async function listenApp(
  app: FastifyInstance,
  host: string,
  port: number,
  /** What the user changes to move the port (the demo's --demo-port; default the config's keys). */
  portSetting = "server.host / server.port",
): Promise<Listening> {
  try {
    await app.listen({ host, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    const why =
      code === "EADDRINUSE"
        ? "the port is taken (another pivot start, or pivot login waiting for Kite)"
        : code === "EADDRNOTAVAIL"
          ? "that address is not one of this machine's"
          : code === "EACCES"
            ? "ports below 1024 need privileges: keep nginx in front"
            : code;
    throw new Error(`the web server cannot listen on ${host}:${port} (${portSetting}): ${why}`);
  }
  const address = app.server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return { url: `http://${shownHost}:${actual}`, host, port: actual };
}
