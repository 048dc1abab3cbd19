import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { REPO_ROOT } from "../support/paths.js";

/*
 * The import rules of .dependency-cruiser.cjs, run the way `npm run deps` runs them: on the real
 * tree they pass; on a tiny tree in a temporary directory (the repository's own config, copied)
 * each planted wrong import fails, naming its rule. Nothing is planted in the repository itself.
 */

const DEPCRUISE = join(REPO_ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
const CONFIG = ".dependency-cruiser.cjs";

interface CruiseRun {
  status: number | null;
  output: string;
}

function depcruise(cwd: string, extraArgs: readonly string[] = []): CruiseRun {
  const run = spawnSync(
    process.execPath,
    [DEPCRUISE, "src", "--config", CONFIG, "--output-type", "err", ...extraArgs],
    // CI=true makes dependency-cruiser colour its output; the assertions read plain text.
    { cwd, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } },
  );
  return { status: run.status, output: stripVTControlCharacters(`${run.stdout}${run.stderr}`) };
}

/** The arguments `npm run deps` adds after `depcruise src --config .dependency-cruiser.cjs`. */
function npmDepsExtraArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const script = pkg.scripts.deps ?? "";
  assert.match(
    script,
    /^depcruise src --config \.dependency-cruiser\.cjs/,
    "npm run deps runs depcruise with the config",
  );
  return script.split(/\s+/).slice(4);
}

/** A minimal tree of the rooms with one file each, plus `planted` files; cruised, then removed. */
function cruisePlanted(planted: Record<string, string>): CruiseRun {
  const dir = mkdtempSync(join(tmpdir(), "pivot-import-rules-"));
  try {
    copyFileSync(join(REPO_ROOT, CONFIG), join(dir, CONFIG));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true } }),
    );
    const files: Record<string, string> = {
      "src/domain/price.ts": "export type Price = number;\n",
      "src/ports/feed.ts":
        'import type { Price } from "../domain/price.js";\nexport interface Feed { last(): Price }\n',
      "src/strategy/rule.ts":
        'import type { Price } from "../domain/price.js";\nexport const above = (p: Price) => p > 1;\n',
      "src/engine/loop.ts":
        'import type { Feed } from "../ports/feed.js";\nexport const run = (f: Feed) => f.last();\n',
      "src/adapters/kite/feed.ts":
        'import type { Feed } from "../../ports/feed.js";\nexport const kiteFeed: Feed = { last: () => 1 };\n',
      "src/web/page.ts":
        'import type { Feed } from "../ports/feed.js";\nexport const show = (f: Feed) => String(f.last());\n',
      "src/app/main.ts":
        'import { kiteFeed } from "../adapters/kite/feed.js";\nimport { run } from "../engine/loop.js";\nrun(kiteFeed);\n',
      "src/config/schema.ts": "export interface Config { lots: number }\nexport const DEFAULT_LOTS = 1;\n",
      ...planted,
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return depcruise(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("import rules (dependency-cruiser)", () => {
  it("import rules on the repository's tree → no violation (as npm run deps runs them)", () => {
    const run = depcruise(REPO_ROOT, npmDepsExtraArgs());
    assert.equal(run.status, 0, run.output);
  });

  it("import rules on the minimal tree without a planted import → pass", () => {
    const run = cruisePlanted({});
    assert.equal(run.status, 0, run.output);
  });

  const plantings: Array<{ subject: string; rule: string; files: Record<string, string> }> = [
    {
      subject: "an engine file importing an adapter",
      rule: "engine-imports-domain-strategy-ports-only",
      files: {
        "src/engine/leak.ts":
          'import { kiteFeed } from "../adapters/kite/feed.js";\nexport const f = kiteFeed;\n',
      },
    },
    {
      subject: "an engine file importing only a type of an adapter",
      rule: "engine-imports-domain-strategy-ports-only",
      files: {
        "src/engine/leak.ts":
          'import type { kiteFeed } from "../adapters/kite/feed.js";\nexport type F = typeof kiteFeed;\n',
      },
    },
    {
      subject: "a web file importing the engine",
      rule: "web-imports-ports-domain-only",
      files: { "src/web/leak.ts": 'import { run } from "../engine/loop.js";\nexport const r = run;\n' },
    },
    {
      subject: "an adapter importing the web",
      rule: "adapters-import-no-engine-web-app",
      files: {
        "src/adapters/kite/leak.ts": 'import { show } from "../../web/page.js";\nexport const s = show;\n',
      },
    },
    {
      subject: "the simulator importing the engine",
      rule: "sim-imports-no-engine-app",
      files: { "src/sim/leak.ts": 'import { run } from "../engine/loop.js";\nexport const r = run;\n' },
    },
    {
      subject: "a domain file importing a port",
      rule: "domain-imports-nothing-of-the-project",
      files: {
        "src/domain/leak.ts": 'import type { Feed } from "../ports/feed.js";\nexport type F = Feed;\n',
      },
    },
    {
      subject: "a strategy file importing a port",
      rule: "strategy-imports-domain-only",
      files: {
        "src/strategy/leak.ts": 'import type { Feed } from "../ports/feed.js";\nexport type F = Feed;\n',
      },
    },
    {
      subject: "a port importing an adapter",
      rule: "ports-import-domain-only",
      files: {
        "src/ports/leak.ts":
          'import { kiteFeed } from "../adapters/kite/feed.js";\nexport const f = kiteFeed;\n',
      },
    },
    {
      subject: "an engine file importing a value of the config schema",
      rule: "config-shape-types-only",
      files: {
        "src/engine/leak.ts":
          'import { DEFAULT_LOTS } from "../config/schema.js";\nexport const l = DEFAULT_LOTS;\n',
      },
    },
    {
      subject: "an engine file importing an npm package",
      rule: "inner-rooms-use-no-vendor-package",
      files: {
        "node_modules/vendor-sdk/package.json":
          '{ "name": "vendor-sdk", "version": "1.0.0", "main": "index.js" }\n',
        "node_modules/vendor-sdk/index.js": "exports.connect = () => 1;\n",
        "src/engine/leak.ts": 'import { connect } from "vendor-sdk";\nexport const c = connect;\n',
      },
    },
    {
      subject: "two adapter files importing each other",
      rule: "no-circular",
      files: {
        "src/adapters/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
        "src/adapters/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
      },
    },
  ];

  for (const { subject, rule, files } of plantings) {
    it(`import rules on ${subject} → fail naming ${rule}`, () => {
      const run = cruisePlanted(files);
      assert.notEqual(run.status, 0, run.output);
      assert.match(run.output, new RegExp(`error ${rule}:`), run.output);
    });
  }

  it("import rules on an engine file taking only the config's type → pass (the narrow exception)", () => {
    const run = cruisePlanted({
      "src/engine/settings.ts":
        'import type { Config } from "../config/schema.js";\nexport type Lots = Config["lots"];\n',
    });
    assert.equal(run.status, 0, run.output);
  });
});
