import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  CONFIG_PORT_SETTING,
  DEMO_PORT_SETTING,
  describePortOwner,
  findPortOwner,
  isPivotService,
  parseListeners,
  portHeldMessage,
} from "../../src/ops/port-owner.js";
import { freePort } from "../support/free-port.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-port-"));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true });
});

/** A child process named like the old server, listening on `port` until killed. */
async function holdPort(port: number, host = "127.0.0.1"): Promise<ChildProcess> {
  const script = join(tmp, "postback_server.py");
  writeFileSync(
    script,
    `require("node:net").createServer().listen(${port}, ${JSON.stringify(host)}, () => process.stdout.write("up\\n"));`,
  );
  const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`the holder exited (${code})`)));
  });
  return child;
}

test("findPortOwner of a port a child process holds → its pid and command line", async (t) => {
  if (process.platform !== "linux") return t.skip("needs Linux /proc");
  const port = await freePort();
  const child = await holdPort(port);
  const owner = await findPortOwner(port);
  assert.equal(owner.state, "held");
  if (owner.state !== "held") return;
  assert.equal(owner.pid, child.pid);
  assert.equal(owner.address, "127.0.0.1");
  assert.match(owner.command ?? "", /postback_server\.py$/);
  assert.equal(describePortOwner(port, owner), `port ${port} is held by pid ${child.pid}: ${owner.command}`);
  const message = await portHeldMessage(port);
  assert.match(
    message ?? "",
    new RegExp(`port ${port} is held by pid ${child.pid}: .*postback_server\\.py, not this system: stop it`),
  );
});

test("portHeldMessage for the command at hand → names its own setting once, and no contradiction", async (t) => {
  if (process.platform !== "linux") return t.skip("needs Linux /proc");
  const port = await freePort();
  await holdPort(port);
  const demo = (await portHeldMessage(port, DEMO_PORT_SETTING)) ?? "";
  assert.equal(demo.split("--demo-port").length, 2, demo);
  assert.doesNotMatch(demo, /callback_port|server\.port/);
  const service = (await portHeldMessage(port)) ?? "";
  assert.equal(service.split(CONFIG_PORT_SETTING).length, 2, service);
  assert.doesNotMatch(service, /--demo-port/);
  for (const m of [demo, service]) {
    assert.doesNotMatch(m, /already running\?/, "a program that is not this system is not 'the service'");
  }
});

test("findPortOwner of an IPv6 wildcard listener → found too (it blocks loopback)", async (t) => {
  if (process.platform !== "linux") return t.skip("needs Linux /proc");
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = await holdPort(port, "::");
  } catch {
    return t.skip("no IPv6 here");
  }
  const owner = await findPortOwner(port);
  assert.equal(owner.state === "held" && owner.pid, child.pid);
});

test("findPortOwner of a free port → free, and no refusal", async (t) => {
  if (process.platform !== "linux") return t.skip("needs Linux /proc");
  const port = await freePort();
  assert.deepEqual(await findPortOwner(port), { state: "free" });
  assert.equal(await portHeldMessage(port), null);
});

test("findPortOwner without /proc → unknown, said plainly", async () => {
  const owner = await findPortOwner(8001, { procRoot: join(tmp, "no-proc") });
  assert.equal(owner.state, "unknown");
  assert.match(describePortOwner(8001, owner), /cannot tell who holds port 8001/);
});

test("a listener whose process is not visible (another user) → held, pid unknown", async () => {
  const proc = join(tmp, "proc");
  mkdirSync(join(proc, "net"), { recursive: true });
  writeFileSync(
    join(proc, "net", "tcp"),
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
      "   0: 0100007F:1F41 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0 100 0 0 10 0\n" +
      "   1: 0100007F:1F42 0100007F:9999 01 00000000:00000000 00:00000000 00000000  1000        0 4243 1 0 100 0 0 10 0\n",
  );
  const owner = await findPortOwner(8001, { procRoot: proc });
  assert.deepEqual(owner, { state: "held", address: "127.0.0.1", pid: null, command: null });
  assert.match(describePortOwner(8001, owner), /another user/);
  assert.deepEqual(await findPortOwner(8002, { procRoot: proc }), { state: "free" }); // established, not listening
});

test("parseListeners of tcp6 → the wildcard and loopback addresses by name", () => {
  const table =
    "  sl  local_address                         remote_address                        st\n" +
    "   0: 00000000000000000000000000000000:1F41 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 77 1\n" +
    "   1: 00000000000000000000000001000000:1F42 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 78 1\n";
  assert.deepEqual(parseListeners(table, true), [
    { address: "::", port: 8001, inode: "77" },
    { address: "::1", port: 8002, inode: "78" },
  ]);
});

test("isPivotService → this system's start command, not other programs", () => {
  assert.equal(
    isPivotService("/usr/bin/node /opt/pivot/dist/pivot.js start --config /opt/pivot/config.json"),
    true,
  );
  assert.equal(isPivotService("node /usr/local/bin/pivot start"), true);
  assert.equal(isPivotService("/home/ubuntu/main_trading/venv/bin/python3 postback_server.py"), false);
  assert.equal(isPivotService("node dist/pivot.js sim --port 8001"), false);
  assert.equal(isPivotService(null), false);
});
