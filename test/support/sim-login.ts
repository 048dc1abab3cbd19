import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import type { RunningSimulator } from "../../src/sim/simulator.js";

/**
 * Logs `rest` in at the simulator the way a trader does (its login page, in automatic mode,
 * then the token exchange) and returns the session's access token (set on `rest`) and user id.
 */
export async function loginAtSim(
  sim: RunningSimulator,
  rest: KiteRest,
): Promise<{ accessToken: string; userId: string }> {
  const page = await fetch(`${sim.loginUrl}?api_key=${sim.apiKey}&v=3&redirect_params=state%3Dx&auto=1`, {
    redirect: "manual",
  });
  const requestToken = new URL(page.headers.get("location") as string).searchParams.get("request_token");
  const session = await rest.generateSession(requestToken as string, sim.apiSecret);
  assert.ok(session.ok, JSON.stringify(session));
  rest.setAccessToken(session.value.access_token);
  return { accessToken: session.value.access_token, userId: session.value.user_id };
}

/** A local HTTP server that hands every request body (the simulator's postbacks) to `onBody`. */
export async function postbackCatcher(
  onBody: (body: string) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString();
    });
    req.on("end", () => {
      onBody(body);
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/postback`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
