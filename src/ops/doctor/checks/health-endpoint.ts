import { type DoctorCheck, result, why } from "../check.js";

/** The service's /health answers 200 on loopback. */
export const healthEndpointCheck: DoctorCheck = {
  name: "health",
  cost: "slow",
  async run({ probes, settings }) {
    const url = settings.healthUrl;
    try {
      const r = await probes.httpGet(url, 3000);
      if (r.status === 200) return result(this.name, "ok", `${url} answers 200`);
      const body = r.body.replace(/\s+/g, " ").trim().slice(0, 120);
      return result(this.name, "critical", `${url} answers ${r.status}${body ? `: ${body}` : ""}`);
    } catch (e) {
      return result(this.name, "critical", `${url} does not answer (${why(e)})`);
    }
  },
};
