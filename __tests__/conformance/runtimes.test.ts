import { join } from "node:path";
import {
  bundleForIsolate,
  describeWithRuntime,
  serveWithBun,
  serveWithDeno,
  serveWithWorkerd,
  type Bundle,
  type RuntimeName,
  type RuntimeServer,
} from "../helpers/runtimes";
import type { Records } from "./behaviour";
import { runConformance } from "./run";

/**
 * The fetch handler where it is meant to run: the conformance app bundled
 * into one ES module (browser builds of debug and joi, nothing from Node),
 * served by Deno, Bun and workerd, and driven over HTTP. What the app
 * recorded comes back through `GET /__records`.
 */
const serve: Record<RuntimeName, (bundle: Bundle) => Promise<RuntimeServer>> = {
  deno: serveWithDeno,
  bun: serveWithBun,
  workerd: serveWithWorkerd,
};

for (const runtime of ["deno", "bun", "workerd"] as const) {
  describeWithRuntime(runtime, `fetch handler on ${runtime}`, () => {
    let bundle: Bundle | undefined;
    afterAll(() => bundle?.remove());
    runConformance(runtime, async () => {
      bundle = await bundleForIsolate(join(__dirname, "runtime-app.ts"));
      const server = await serve[runtime](bundle);
      return {
        port: server.port,
        records: async () => {
          const response = await fetch(`http://127.0.0.1:${server.port}/__records`);
          return (await response.json()) as Records;
        },
        close: () => server.close(),
      };
    });
  });
}
