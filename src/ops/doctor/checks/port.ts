import { describePortOwner, isPivotService } from "../../port-owner.js";
import { type DoctorCheck, result } from "../check.js";

/** Who listens on the service's port: this system, nothing, or another program (the old postback_server.py). */
export const portCheck: DoctorCheck = {
  name: "port",
  cost: "cheap",
  async run({ probes, settings }) {
    const port = settings.port;
    const owner = await probes.portOwner(port);
    switch (owner.state) {
      case "unknown":
        return result(this.name, "skipped", describePortOwner(port, owner));
      case "free":
        return result(this.name, "critical", `nothing listens on port ${port}: the service is not running`);
      case "held":
        if (owner.pid !== null && owner.pid === settings.servicePid)
          return result(
            this.name,
            "ok",
            `this service listens on ${owner.address}:${port} (pid ${owner.pid})`,
          );
        if (owner.pid === null)
          return result(this.name, "warning", `${describePortOwner(port, owner)}; expected this system`);
        if (isPivotService(owner.command))
          return result(
            this.name,
            "ok",
            `this system listens on ${owner.address}:${port} (pid ${owner.pid})`,
          );
        return result(
          this.name,
          "critical",
          `${describePortOwner(port, owner)}: not this system (an old server?); stop it (kill ${owner.pid}) and start pivot-trading`,
        );
    }
  },
};
