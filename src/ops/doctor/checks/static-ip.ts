import { checkStaticIp } from "../../static-ip.js";
import type { DoctorCheck } from "../check.js";

/** This host's public address (the DNS check's probe) is one of kite.static_ips: Kite takes orders only from those. */
export const staticIpCheck: DoctorCheck = {
  name: "static ip",
  cost: "slow",
  run: async ({ probes, settings }) =>
    (await checkStaticIp(probes.publicAddress, settings.staticIps ?? [], settings.liveTrading ?? false))
      .check,
};
