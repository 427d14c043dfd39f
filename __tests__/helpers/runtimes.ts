import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Deno, Bun and workerd (through miniflare), as installed from npm into
 * node_modules/.bin, for running the fetch entry where it is meant to run.
 * A runtime that is missing prints one loud line and its suite is skipped;
 * with `TRTC_REQUIRE_SERVERS=1` (set by `.ci/run`) that is a failure instead.
 */

const root = join(__dirname, "..", "..");

/** The runtimes, by the binary npm installs for each. */
export type RuntimeName = "deno" | "bun" | "workerd";

function binary(name: RuntimeName): string {
  return join(root, "node_modules", ".bin", name);
}

/** `describe` when the runtime is installed; otherwise one loud line and a skip (a failure under TRTC_REQUIRE_SERVERS=1). */
export function describeWithRuntime(runtime: RuntimeName, name: string, body: () => void): void {
  if (existsSync(binary(runtime))) {
    describe(name, body);
    return;
  }
  const line = `!!! ${runtime} is not in node_modules/.bin: "${name}" is SKIPPED. Run npm ci (it installs ${runtime === "workerd" ? "miniflare" : runtime}) or bash .ci/run.`;
  if (process.env["TRTC_REQUIRE_SERVERS"] === "1") {
    describe(name, () => {
      it(`needs ${runtime}`, () => {
        throw new Error(line);
      });
    });
    return;
  }
  process.stderr.write(`${line}\n`);
  describe.skip(name, body);
}

/** A bundle in a folder of its own, removed by `remove`. */
export interface Bundle {
  readonly dir: string;
  /** The bundle's file name inside `dir`. */
  readonly file: string;
  /** The bundle's text. */
  readonly text: string;
  remove(): void;
}

/**
 * Bundles `entry` (a TypeScript module importing the fetch entry) into one
 * ES module for an isolate: the browser builds of `debug` and `joi`, and
 * nothing from Node. Fails if anything in the graph needs a Node built-in.
 */
export async function bundleForIsolate(entry: string): Promise<Bundle> {
  const esbuild = await import("esbuild");
  const dir = mkdtempSync(join(tmpdir(), "trtc-isolate-"));
  const file = "app.mjs";
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(dir, file),
    logLevel: "silent",
  });
  return {
    dir,
    file,
    text: readFileSync(join(dir, file), "utf8"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A runtime serving a bundle's default export (`{ fetch }`) on a port of 127.0.0.1. */
export interface RuntimeServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the bundle with `Deno.serve`. */
export function serveWithDeno(bundle: Bundle): Promise<RuntimeServer> {
  const script = `import app from "./${bundle.file}";
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log("listening " + port) }, app.fetch);
`;
  writeFileSync(join(bundle.dir, "deno-server.mjs"), script);
  // The browser build of debug reads the DEBUG variable when there is a process global, as in Deno.
  return spawnServer(
    binary("deno"),
    ["run", "--allow-net", "--allow-read", "--allow-env=DEBUG", "deno-server.mjs"],
    bundle.dir,
  );
}

/** Serves the bundle with `Bun.serve`. */
export function serveWithBun(bundle: Bundle): Promise<RuntimeServer> {
  const script = `import app from "./${bundle.file}";
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch });
console.log("listening " + server.port);
`;
  writeFileSync(join(bundle.dir, "bun-server.mjs"), script);
  return spawnServer(binary("bun"), ["run", "bun-server.mjs"], bundle.dir);
}

/** Serves the bundle as a Worker in workerd, through miniflare's HTTP port. */
export async function serveWithWorkerd(bundle: Bundle): Promise<RuntimeServer> {
  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: true,
    script: bundle.text,
    compatibilityDate: "2025-01-01",
    host: "127.0.0.1",
    port: 0,
  });
  const url = await mf.ready;
  return { port: Number(url.port), close: () => mf.dispose() };
}

function spawnServer(command: string, args: string[], cwd: string): Promise<RuntimeServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command, args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    });
    let output = "";
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    const close = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening (\d+)/.exec(output);
      if (match) {
        child.stdout?.off("data", onData);
        resolve({ port: Number(match[1]), close });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`${command} exited with ${String(code)} before listening:\n${output}`)),
    );
  });
}
