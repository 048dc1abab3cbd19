/** The simulated user's profile and session payloads (kite-mocks profile.json, generate_session.json). */
import type { AccessSession, SimAccount } from "./sessions.js";

/** `GET /user/profile` data. */
export function profilePayload(account: SimAccount) {
  return {
    user_id: account.userId,
    user_type: "individual",
    email: `${account.userId.toLowerCase()}@kite-simulator.invalid`,
    user_name: account.userName,
    user_shortname: account.userName.split(" ")[0] ?? account.userName,
    broker: "ZERODHA",
    exchanges: ["BFO", "MCX", "NSE", "CDS", "BSE", "BCD", "MF", "NFO"],
    products: ["CNC", "NRML", "MIS", "BO", "CO"],
    order_types: ["MARKET", "LIMIT", "SL", "SL-M"],
    avatar_url: null,
    meta: { demat_consent: "physical" },
  };
}

/** `POST /session/token` data. */
export function sessionPayload(account: SimAccount, session: AccessSession, loginTime: string) {
  const { meta, ...profile } = profilePayload(account);
  return {
    ...profile,
    api_key: session.apiKey,
    access_token: session.accessToken,
    public_token: session.publicToken,
    enctoken: "",
    refresh_token: "",
    silo: "",
    login_time: loginTime,
    meta,
  };
}
