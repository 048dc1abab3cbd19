/**
 * The import rules of the rooms (README "Architecture"). `npm run deps` checks them (it is part of
 * `npm run lint`, which CI runs); a broken rule fails with the rule's name and the import.
 *
 * Type-only imports count: `tsPreCompilationDeps` makes `import type` a dependency like any other,
 * since a type from an adapter ties the engine to that adapter as surely as a value does.
 *
 * The one narrow exception: the engine, the web and the strategy may import the *type* of the
 * validated configuration from src/config/schema.ts (rule `config-shape-types-only`). That file
 * is the single declaration of the configuration (a zod schema whose types are inferred from
 * it); it knows no vendor, and a type-only import vanishes at run time. Moving the inferred
 * types elsewhere would mean declaring the configuration twice. Values of src/config (loading,
 * files, secrets) stay out of those rooms.
 */

/** Rooms that may see the configuration's type and nothing else of src/config. */
const CONFIG_SCHEMA = "^src/config/schema\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "engine-imports-domain-strategy-ports-only",
      comment:
        "src/engine knows no vendor: it imports src/domain, src/strategy and src/ports (and itself) only.",
      severity: "error",
      from: { path: "^src/engine/" },
      to: { path: "^src/", pathNot: [`^src/(engine|domain|strategy|ports)/`, CONFIG_SCHEMA] },
    },
    {
      name: "web-imports-ports-domain-only",
      comment: "src/web imports src/ports and src/domain (and itself) only.",
      severity: "error",
      from: { path: "^src/web/" },
      to: { path: "^src/", pathNot: ["^src/(web|ports|domain)/", CONFIG_SCHEMA] },
    },
    {
      name: "adapters-import-no-engine-web-app",
      comment:
        "src/adapters translate vendor payloads into port types; they import no engine, web or app code.",
      severity: "error",
      from: { path: "^src/adapters/" },
      to: { path: "^src/(engine|web|app)/" },
    },
    {
      name: "sim-imports-no-engine-app",
      comment: "src/sim (the Kite simulator) imports no engine or app code.",
      severity: "error",
      from: { path: "^src/sim/" },
      to: { path: "^src/(engine|app)/" },
    },
    {
      name: "domain-imports-nothing-of-the-project",
      comment: "src/domain imports nothing of the project outside itself.",
      severity: "error",
      from: { path: "^src/domain/" },
      to: { path: "^src/", pathNot: "^src/domain/" },
    },
    {
      name: "strategy-imports-domain-only",
      comment: "src/strategy is a pure room: it imports src/domain (and itself) only.",
      severity: "error",
      from: { path: "^src/strategy/" },
      to: { path: "^src/", pathNot: ["^src/(strategy|domain)/", CONFIG_SCHEMA] },
    },
    {
      name: "ports-import-domain-only",
      comment:
        "src/ports declares what the engine needs in domain terms: it imports src/domain (and itself) only.",
      severity: "error",
      from: { path: "^src/ports/" },
      to: { path: "^src/", pathNot: "^src/(ports|domain)/" },
    },
    {
      name: "config-shape-types-only",
      comment:
        "The engine, the web and the strategy may take the configuration's type from src/config/schema.ts, " +
        "never a value (see the header of .dependency-cruiser.cjs).",
      severity: "error",
      from: { path: "^src/(engine|web|strategy)/" },
      to: { path: CONFIG_SCHEMA, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "inner-rooms-use-no-vendor-package",
      comment:
        "src/engine, src/domain, src/strategy and src/ports use no npm package: vendors live behind the ports.",
      severity: "error",
      from: { path: "^src/(engine|domain|strategy|ports)/" },
      to: {
        dependencyTypes: [
          "npm",
          "npm-dev",
          "npm-optional",
          "npm-peer",
          "npm-bundled",
          "npm-no-pkg",
          "npm-unknown",
        ],
      },
    },
    {
      name: "no-circular",
      comment: "No module reaches itself through its imports.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      comment: "Every import resolves (a rule on a path that cannot be found checks nothing).",
      severity: "error",
      from: { path: "^src/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^dist/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".d.ts"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
