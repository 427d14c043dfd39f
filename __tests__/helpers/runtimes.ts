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
export async function bundleForIsolate(
  entry: string | { contents: string; resolveDir: string },
): Promise<Bundle> {
  const esbuild = await import("esbuild");
  const dir = mkdtempSync(join(tmpdir(), "trtc-isolate-"));
  const file = "app.mjs";
  await esbuild.build({
    ...(typeof entry === "string"
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, loader: "ts" as const } }),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(dir, file),
    // The package's entries by name, as a user imports them, from its sources.
    alias: { "trtc-room-callbacks/fetch": join(root, "lib", "fetch", "index.ts") },
    logLevel: "silent",
  });
  return {
    dir,
    file,
    text: readFileSync(join(dir, file), "utf8"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A runtime process running a script of its own. */
export interface RuntimeProcess {
  readonly child: ChildProcess;
  /** What it printed so far, stdout and stderr. */
  output(): string;
  /** Stops it (SIGTERM) and waits for it to exit. */
  close(): Promise<void>;
}

/** Runs `file` (in `dir`) with Deno (network, read, and environment access) or Bun. */
export function runInRuntime(runtime: "deno" | "bun", dir: string, file: string): RuntimeProcess {
  // The browser build of debug reads the DEBUG variable when there is a process global, as in Deno.
  const args =
    runtime === "deno" ? ["run", "--allow-net", "--allow-read", "--allow-env", file] : ["run", file];
  const child = spawn(binary(runtime), args, {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  return {
    child,
    output: () => output,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
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
  return listeningOn(runInRuntime("deno", bundle.dir, "deno-server.mjs"));
}

/** Serves the bundle with `Bun.serve`. */
export function serveWithBun(bundle: Bundle): Promise<RuntimeServer> {
  const script = `import app from "./${bundle.file}";
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch });
console.log("listening " + server.port);
`;
  writeFileSync(join(bundle.dir, "bun-server.mjs"), script);
  return listeningOn(runInRuntime("bun", bundle.dir, "bun-server.mjs"));
}

/**
 * Serves the bundle in workerd, through miniflare's HTTP port: as a module
 * worker (its default export), or with `serviceWorker` as a script that
 * calls `addEventListener("fetch", …)`.
 */
export async function serveWithWorkerd(
  bundle: Bundle,
  options: { serviceWorker?: boolean } = {},
): Promise<RuntimeServer> {
  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: options.serviceWorker !== true,
    script: bundle.text,
    compatibilityDate: "2025-01-01",
    host: "127.0.0.1",
    port: 0,
  });
  const url = await mf.ready;
  return { port: Number(url.port), close: () => mf.dispose() };
}

/** Resolves once the process prints "listening <port>". */
function listeningOn(running: RuntimeProcess): Promise<RuntimeServer> {
  return new Promise((resolve, reject) => {
    const onData = () => {
      const match = /listening (\d+)/.exec(running.output());
      if (match) {
        running.child.stdout?.off("data", onData);
        running.child.off("exit", onExit);
        resolve({ port: Number(match[1]), close: running.close });
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`the runtime exited with ${String(code)} before listening:\n${running.output()}`));
    running.child.stdout?.on("data", onData);
    running.child.once("exit", onExit);
    running.child.once("error", reject);
  });
}
