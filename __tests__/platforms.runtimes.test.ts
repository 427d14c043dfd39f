import { readFileSync } from "node:fs";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCallbackFetchHandler } from "trtc-room-callbacks/fetch";
import type { CallbackHandlers } from "trtc-room-callbacks";
import { samples } from "./helpers/fixtures";
import { send } from "./helpers/raw-client";
import {
  bundleForIsolate,
  describeWithRuntime,
  runInRuntime,
  serveWithWorkerd,
  type Bundle,
  type RuntimeProcess,
} from "./helpers/runtimes";
import { freePort, waitForPort } from "./helpers/servers";

/**
 * The README's Bun, Deno and Workers samples. Mirrored below, where the
 * compiler checks them against the package's types (with the runtimes'
 * globals declared as far as the samples use them); and run: each block is
 * taken from the README, given a `handlers` object, bundled with the fetch
 * entry and served by the runtime itself (its port 3000 moved to a free
 * one), then sent the documented seat callback over HTTP.
 */

declare const Bun: {
  serve(options: { port: number; fetch: (request: Request) => Promise<Response> }): unknown;
};
declare const Deno: {
  serve(options: { port: number }, handler: (request: Request) => Promise<Response>): unknown;
};
declare function addEventListener(
  type: "fetch",
  listener: (event: { request: Request; respondWith(response: Promise<Response>): void }) => void,
): void;
const handlers: CallbackHandlers<unknown> = {};

export function bunSample(): void {
  // README: "Bun" (begin)
  Bun.serve({ port: 3000, fetch: createCallbackFetchHandler({ sdkAppId: 1400000001, handlers }) });
  // README: "Bun" (end)
}

export function denoSample(): void {
  // README: "Deno" (begin)
  Deno.serve({ port: 3000 }, createCallbackFetchHandler({ sdkAppId: 1400000001, handlers }));
  // README: "Deno" (end)
}

// README: "Cloudflare Workers, Tencent EdgeOne Functions" (begin)
export default { fetch: createCallbackFetchHandler({ sdkAppId: 1400000001, handlers }) };
// README: "Cloudflare Workers, Tencent EdgeOne Functions" (end)

export function edgeOneSample(): void {
  // README: "EdgeOne Edge Functions" (begin)
  const handler = createCallbackFetchHandler({ sdkAppId: 1400000001, handlers });
  addEventListener("fetch", (event) => event.respondWith(handler(event.request)));
  // README: "EdgeOne Edge Functions" (end)
}

const SEAT = "Mic.CallbackAfterSeatInfoChanged";
const QUERY = `SdkAppid=1400000001&CallbackCommand=${SEAT}&contenttype=json&ClientIP=1.2.3.4&OptPlatform=Web`;
const OK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };

/**
 * Handlers for the runtime: OK only when the 18-digit user ID arrived exact
 * and `context.request` is a `Request`; a `CallbackError` saying what was
 * wrong otherwise.
 */
const RUNTIME_HANDLERS = `
const handlers = {
  "${SEAT}": (event, context) => {
    const member = event.SeatList[0].Member_Account;
    if (member !== "144115233775727695") throw new CallbackError("inexact ID: " + String(member), { code: 4999 });
    if (!(context.request instanceof Request)) throw new CallbackError("not a Request", { code: 4998 });
  },
};
`;

/** The README's `index`th ts block under `### heading`, with the handlers above and its port moved to `port`. */
function readmeSample(heading: string, port?: number, index = 0): string {
  const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
  let open = readme.indexOf("```ts\n", readme.indexOf(`\n### ${heading}\n`));
  for (let skip = index; skip > 0; skip--) open = readme.indexOf("```ts\n", open + 1);
  const code = readme.slice(open + "```ts\n".length, readme.indexOf("\n```", open));
  const lines = code.split("\n");
  const imports = lines.filter((line) => line.startsWith("import "));
  const body = lines.filter((line) => !line.startsWith("import ")).join("\n");
  expect(imports).toEqual(['import { createCallbackFetchHandler } from "trtc-room-callbacks/fetch";']);
  const withPort = port === undefined ? body : body.replace("port: 3000", `port: ${port}`);
  return [
    'import { CallbackError, createCallbackFetchHandler } from "trtc-room-callbacks/fetch";',
    RUNTIME_HANDLERS,
    withPort,
  ].join("\n");
}

function expectServed(res: { status: number; text: string }): void {
  expect({ status: res.status, ack: JSON.parse(res.text) as unknown }).toEqual({ status: 200, ack: OK });
}

for (const [runtime, heading] of [
  ["bun", "Bun"],
  ["deno", "Deno"],
] as const) {
  describeWithRuntime(runtime, `README: the ${heading} sample, run by ${runtime}`, () => {
    let bundle: Bundle | undefined;
    let running: RuntimeProcess | undefined;
    afterAll(async () => {
      await running?.close();
      bundle?.remove();
    });

    it("answers the documented seat callback, its 18-digit ID exact", async () => {
      const port = await freePort();
      bundle = await bundleForIsolate({ contents: readmeSample(heading, port), resolveDir: __dirname });
      writeFileSync(join(bundle.dir, "main.mjs"), bundle.text);
      running = runInRuntime(runtime, bundle.dir, "main.mjs");
      await waitForPort(port, running.child, running.output);
      expectServed(await send(port, { path: `/trtc?${QUERY}`, body: samples[SEAT] }));
    }, 60_000);
  });
}

describeWithRuntime("workerd", "README: the Workers sample, run by workerd", () => {
  let bundle: Bundle | undefined;
  let server: { port: number; close(): Promise<void> } | undefined;
  afterAll(async () => {
    await server?.close();
    bundle?.remove();
  });

  it("answers the documented seat callback, its 18-digit ID exact", async () => {
    const contents = readmeSample("Cloudflare Workers, Tencent EdgeOne Functions");
    bundle = await bundleForIsolate({ contents, resolveDir: __dirname });
    server = await serveWithWorkerd(bundle);
    expectServed(await send(server.port, { path: `/trtc?${QUERY}`, body: samples[SEAT] }));
  }, 60_000);
});

describeWithRuntime(
  "workerd",
  "README: the EdgeOne Edge Functions sample, run by workerd as a service worker",
  () => {
    let server: { port: number; close(): Promise<void> } | undefined;
    afterAll(() => server?.close());

    it("answers the documented seat callback, its 18-digit ID exact", async () => {
      const contents = readmeSample("Cloudflare Workers, Tencent EdgeOne Functions", undefined, 1);
      const bundle = await bundleForIsolate({ contents, resolveDir: __dirname });
      bundle.remove();
      server = await serveWithWorkerd(bundle, { serviceWorker: true });
      expectServed(await send(server.port, { path: `/trtc?${QUERY}`, body: samples[SEAT] }));
    }, 60_000);
  },
);
