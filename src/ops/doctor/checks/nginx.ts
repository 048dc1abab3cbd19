import { type DoctorCheck, type Level, result, worse } from "../check.js";

/** nginx is running and `nginx -t` accepts its configuration. */
export const nginxCheck: DoctorCheck = {
  name: "nginx",
  cost: "slow",
  async run({ probes, settings }) {
    if (!settings.domain)
      return result(this.name, "skipped", "no domain here (--domain, or an https auth.redirect_url)");
    const test = await probes.run("nginx", ["-t"], 10_000);
    if (test.missing) return result(this.name, "critical", "nginx is not installed (apt-get install nginx)");
    const output = `${test.stderr}\n${test.stdout}`;
    let level: Level = "ok";
    const parts: string[] = [];
    if (test.code === 0) parts.push("configuration valid");
    else if (/permission denied/i.test(output)) {
      level = "warning";
      parts.push("configuration not tested: nginx -t needs root (sudo pivot doctor)");
    } else {
      level = "critical";
      parts.push(`nginx -t fails: ${lastMeaningfulLine(output)}`);
    }
    const nginx = (await probes.processes()).filter((p) => p.name === "nginx");
    const master = nginx.find((p) => /master process/.test(p.command)) ?? nginx[0];
    if (master) parts.unshift(`running (pid ${master.pid})`);
    else {
      level = worse(level, "critical");
      parts.unshift("not running (systemctl start nginx)");
    }
    return result(this.name, level, parts.join(", "));
  },
};

function lastMeaningfulLine(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.replace(/^nginx: /, "").trim())
    .filter((l) => l !== "" && !/test failed$/.test(l));
  return lines[0] ?? "no reason given";
}
