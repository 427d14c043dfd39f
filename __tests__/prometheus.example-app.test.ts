import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createExampleApp } from "../example-app/app";
import { createExampleMetrics, type ExampleMetrics } from "../example-app/metrics";
import { main } from "../lib/cli/main";

const SDK_APP_ID = "1400000001";
const TOKEN = "example-app-token";

let server: Server | undefined;
let metrics: ExampleMetrics | undefined;

afterEach(async () => {
  metrics?.close();
  metrics = undefined;
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  }
});

async function listen(app: ReturnType<typeof createExampleApp>): Promise<string> {
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("the example app's GET /metrics", () => {
  it("after simulate, shows every callback of the meeting counted by command and ack, and each handler timed", async () => {
    metrics = createExampleMetrics();
    const base = await listen(
      createExampleApp({ sdkAppId: SDK_APP_ID, token: TOKEN, metrics: metrics.registry }),
    );
    const output = { stdout: "", stderr: "" };
    const code = await main(
      ["simulate", "--url", `${base}/trtc`, "--sdk-app-id", SDK_APP_ID, "--members", "3", "--seats", "2"],
      { stdout: (text) => void (output.stdout += text), stderr: (text) => void (output.stderr += text) },
      Date.now,
      { TRTC_CALLBACK_TOKEN: TOKEN },
    );
    expect(output.stderr).toBe("");
    expect(code).toBe(0);

    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const series = (name: string, labels: string) => new RegExp(`^${name}\\{${labels}\\} (\\d+)$`, "m");
    const count = (name: string, labels: string) => Number(series(name, labels).exec(text)?.[1]);
    const requests = "trtc_room_callbacks_requests_total";
    const ok = 'status="200",action="OK",code="0"';
    // simulate --members 3 --seats 2: a create, 3 enters, 4 seat changes, a leave, an update, a destroy.
    expect(count(requests, `command="Room.CallbackAfterCreateRoom",${ok}`)).toBe(1);
    expect(count(requests, `command="Room.CallbackAfterMemberEnter",${ok}`)).toBe(3);
    expect(count(requests, `command="Mic.CallbackAfterSeatInfoChanged",${ok}`)).toBe(4);
    expect(count(requests, `command="Room.CallbackAfterMemberLeave",${ok}`)).toBe(1);
    expect(count(requests, `command="Room.CallbackAfterUpdateRoomInfo",${ok}`)).toBe(1);
    expect(count(requests, `command="Room.CallbackAfterDestroyRoom",${ok}`)).toBe(1);
    expect(text).toContain("# TYPE trtc_room_callbacks_handler_duration_seconds histogram");
    const durations = "trtc_room_callbacks_handler_duration_seconds";
    expect(count(`${durations}_count`, 'command="Mic.CallbackAfterSeatInfoChanged",outcome="ok"')).toBe(4);
    expect(
      count(`${durations}_bucket`, 'le="\\+Inf",command="Room.CallbackAfterMemberEnter",outcome="ok"'),
    ).toBe(3);
    // Every command has a handler in the example app: nothing unhandled, and no FAIL.
    expect(text).not.toMatch(/^trtc_room_callbacks_unhandled_total\{/m);
    expect(text).not.toContain('action="FAIL"');
  });

  it("is not served unless the app is given a registry", async () => {
    const base = await listen(createExampleApp({ sdkAppId: SDK_APP_ID }));
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
  });
});
