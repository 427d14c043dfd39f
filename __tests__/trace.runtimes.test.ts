import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { samples } from "./helpers/fixtures";
import { send } from "./helpers/raw-client";
import {
  bundleForIsolate,
  describeWithRuntime,
  runInRuntime,
  serveWithWorkerd,
  type Bundle,
} from "./helpers/runtimes";

jest.setTimeout(60_000);

const ENTER = "Room.CallbackAfterMemberEnter";
const QUERY = `SdkAppid=1400000001&CallbackCommand=${ENTER}&ClientIP=1.2.3.4&OptPlatform=Web`;

/**
 * The fetch entry, bundled for an isolate (no `node:` import anywhere), with
 * a subscriber found the way the entry finds its tracer: through
 * `process.getBuiltinModule`, when the runtime has it. `run()` sends one
 * OK and one FAIL through the handler and returns what was seen.
 */
const ENTRY = `
import { createCallbackFetchHandler, CallbackError } from "trtc-room-callbacks/fetch";

const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => any } }).process;
const channels = runtime?.getBuiltinModule?.("node:diagnostics_channel");
const seen: unknown[] = [];
if (channels) {
  for (const name of ["request", "handler"]) {
    channels.subscribe("tracing:trtc-room-callbacks:" + name + ":asyncEnd", (message: any) => {
      seen.push({
        channel: name,
        adapter: message.adapter,
        command: message.command,
        status: message.status,
        errorCode: message.errorCode,
        outcome: message.outcome,
      });
    });
  }
}
let calls = 0;
const handler = createCallbackFetchHandler({
  sdkAppId: 1400000001,
  handlers: {
    "${ENTER}": () => {
      if (++calls === 2) throw new CallbackError("full", { code: 6001 });
    },
  },
});

export async function run() {
  const statuses: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    const response = await handler(
      new Request("http://x/trtc?${QUERY}", { method: "POST", body: ${JSON.stringify(samples[ENTER])} }),
    );
    statuses.push([response.status, (await response.json()).ErrorCode]);
  }
  return { channels: Boolean(channels), statuses, seen };
}

export default {
  async fetch(): Promise<Response> {
    return Response.json(await run());
  },
};
`;

const TRACED = [
  { channel: "handler", adapter: "fetch", command: ENTER, outcome: "ok" },
  { channel: "request", adapter: "fetch", command: ENTER, status: 200, errorCode: 0 },
  { channel: "handler", adapter: "fetch", command: ENTER, outcome: "fail" },
  { channel: "request", adapter: "fetch", command: ENTER, status: 200, errorCode: 6001 },
];

let bundle: Bundle | undefined;
beforeAll(async () => {
  bundle = await bundleForIsolate({ contents: ENTRY, resolveDir: __dirname });
});
afterAll(() => bundle?.remove());

describe.each(["deno", "bun"] as const)("the fetch entry on %s", (runtime) => {
  describeWithRuntime(runtime, `tracing on ${runtime}`, () => {
    it("publishes on the tracing channels, found through process.getBuiltinModule", async () => {
      const current = bundle as Bundle;
      writeFileSync(
        join(current.dir, "run.mjs"),
        `import { run } from "./${current.file}";\nconsole.log("RESULT " + JSON.stringify(await run()));\n`,
      );
      const running = runInRuntime(runtime, current.dir, "run.mjs");
      await new Promise((resolve) => running.child.once("exit", resolve));
      const line = /RESULT (.*)/.exec(running.output());
      if (!line) throw new Error(`${runtime} printed no result:\n${running.output()}`);
      expect(JSON.parse(line[1] as string)).toEqual({
        channels: true,
        statuses: [
          [200, 0],
          [200, 6001],
        ],
        seen: TRACED.map((message) => expect.objectContaining(message)),
      });
    });
  });
});

describeWithRuntime("workerd", "the fetch entry in workerd, where there is no diagnostics_channel", () => {
  it("answers as usual and publishes nothing", async () => {
    const server = await serveWithWorkerd(bundle as Bundle);
    try {
      const response = await send(server.port, { method: "GET", path: "/" });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text)).toEqual({
        channels: false,
        statuses: [
          [200, 0],
          [200, 6001],
        ],
        seen: [],
      });
    } finally {
      await server.close();
    }
  });
});
