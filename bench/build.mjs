/**
 * Compiles lib/ for the benchmark into a directory of its own, so that a
 * concurrent `npm run build` (which empties dist/) cannot pull the package
 * from under a running benchmark. Under node_modules/ so that the package's
 * own dependencies resolve from there.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));

export const BUILD_DIR = `${root}node_modules/.cache/trtc-room-callbacks-bench`;

/** Path of a compiled module, e.g. `built("query")`. */
export const built = (name) => `${BUILD_DIR}/${name}.js`;

/** A build folder of a benchmark's own, so benchmarks run side by side cannot empty each other's. */
export const buildDir = (name) => `${root}node_modules/.cache/trtc-room-callbacks-${name}`;

/** Compiles lib/ into `dir` (JavaScript only); throws on a type error. */
export function build(dir = BUILD_DIR) {
  rmSync(dir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      require.resolve("typescript/bin/tsc"),
      "-p",
      "tsconfig.build.json",
      "--outDir",
      dir,
      "--declaration",
      "false",
    ],
    { cwd: root, stdio: "inherit" },
  );
}
