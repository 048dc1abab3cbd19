import { type DoctorCheck, result, why } from "../check.js";

/** The configuration holds secrets: only its owner may read it. */
export const configPermissionsCheck: DoctorCheck = {
  name: "config permissions",
  cost: "cheap",
  async run({ probes, settings }) {
    const file = settings.configFile;
    if (!file) return result(this.name, "skipped", "no configuration file");
    let mode: number;
    try {
      mode = (await probes.fs.stat(file)).mode & 0o777;
    } catch (e) {
      return result(this.name, "skipped", `cannot stat ${file} (${why(e)})`);
    }
    const octal = mode.toString(8).padStart(3, "0");
    if (mode & 0o022)
      return result(
        this.name,
        "critical",
        `${file} is writable by others (mode ${octal}): chmod 600 ${file}`,
      );
    if (mode & 0o044) {
      if (!settings.configHasSecrets)
        return result(
          this.name,
          "ok",
          `${file} is mode ${octal}, without secrets in it (they come from the environment)`,
        );
      return result(
        this.name,
        "warning",
        `${file} holds secrets and others can read it (mode ${octal}): chmod 600 ${file}`,
      );
    }
    return result(this.name, "ok", `${file} is mode ${octal}`);
  },
};
