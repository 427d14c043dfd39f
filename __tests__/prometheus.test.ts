import diagnosticsChannel from "node:diagnostics_channel";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { Counter, register as globalRegistry, Registry } from "prom-client";
import {
  CallbackError,
  ConfigurationError,
  createCallbackRouter,
  type CallbackCommand,
  type CallbackHandlers,
} from "trtc-room-callbacks";
import { METRIC_NAMES, registerMetrics } from "trtc-room-callbacks/prometheus";
import { main } from "../lib/cli/main";
import { planMeeting } from "../lib/cli/meeting";
import { TRACE_CHANNELS, type HandlerTraceMessage } from "../lib/core/trace";
import { samples } from "./helpers/fixtures";

const SDK_APP_ID = "1400000001";

/** One sample line of the Prometheus text format. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = JSON.parse(`"${pair[2] as string}"`) as string;
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples of one metric name. */
function samplesOf(samples: Sample[], name: string): Sample[] {
  return samples.filter((sample) => sample.name === name);
}

/** The value of the one sample of `name` with exactly these labels; `undefined` when there is none. */
function sampleOf(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const found = samplesOf(samples, name).filter(
    (sample) => JSON.stringify(Object.entries(sample.labels).sort()) === wanted,
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${wanted}`);
  return found[0]?.value;
}
const ROOM_ID = "weekly-standup-7781";

let server: Server | undefined;
let unregister: (() => void) | undefined;

afterEach(async () => {
  unregister?.();
  unregister = undefined;
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  }
});

/** An Express app with the router at /trtc, served on a free port; returns the callback URL. */
async function serve(handlers: CallbackHandlers<express.Request>, timeoutMs?: number): Promise<string> {
  const app = express();
  app.use("/trtc", createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers, timeoutMs }));
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/trtc`;
}

async function post(url: string, command: string, body: string, sdkAppId = SDK_APP_ID): Promise<number> {
  const query = new URLSearchParams({ SdkAppid: sdkAppId, CallbackCommand: command });
  const response = await fetch(`${url}?${query.toString()}`, { method: "POST", body });
  await response.arrayBuffer();
  return response.status;
}

/** How many callbacks of each command `simulate --members 3 --seats 2` sends. */
function meetingTally(): Map<CallbackCommand, number> {
  const tally = new Map<CallbackCommand, number>();
  for (const step of planMeeting({ roomId: ROOM_ID, members: 3, seats: 2 }, Date.now)) {
    const { command } = step();
    tally.set(command, (tally.get(command) ?? 0) + 1);
  }
  return tally;
}

describe("registerMetrics after a simulated meeting", () => {
  it("counts every request by command, status and ack, times each handler, and counts the commands no handler saw", async () => {
    const registry = new Registry();
    unregister = registerMetrics(registry);
    const update = "Room.CallbackAfterUpdateRoomInfo";
    const handled: CallbackCommand[] = [
      "Room.CallbackAfterCreateRoom",
      "Room.CallbackAfterDestroyRoom",
      "Room.CallbackAfterMemberEnter",
      "Room.CallbackAfterMemberLeave",
      "Mic.CallbackAfterSeatInfoChanged",
    ];
    // Every command but the room update has a handler: it shows up as unhandled.
    const url = await serve(Object.fromEntries(handled.map((command) => [command, async () => {}])));
    const output = { stdout: "", stderr: "" };
    const code = await main(
      [
        "simulate",
        "--url",
        url,
        "--sdk-app-id",
        SDK_APP_ID,
        "--members",
        "3",
        "--seats",
        "2",
        "--room-id",
        ROOM_ID,
      ],
      { stdout: (text) => void (output.stdout += text), stderr: (text) => void (output.stderr += text) },
      Date.now,
      {},
    );
    expect(output.stderr).toBe("");
    expect(code).toBe(0);

    const text = await registry.metrics();
    const metrics = parseMetrics(text);
    const tally = meetingTally();
    expect([...tally.values()].reduce((sum, count) => sum + count, 0)).toBe(11);
    for (const [command, count] of tally) {
      expect(
        sampleOf(metrics, METRIC_NAMES.requests, { command, status: "200", action: "OK", code: "0" }),
      ).toBe(count);
    }
    expect(samplesOf(metrics, METRIC_NAMES.requests)).toHaveLength(tally.size);
    expect(sampleOf(metrics, METRIC_NAMES.unhandled, { command: update, reason: "no-handler" })).toBe(
      tally.get(update),
    );
    expect(samplesOf(metrics, METRIC_NAMES.unhandled)).toHaveLength(1);

    // A histogram: buckets up to +Inf, a count and a sum per command and outcome.
    expect(text).toContain(`# TYPE ${METRIC_NAMES.handlerDuration} histogram`);
    for (const command of handled) {
      const count = tally.get(command);
      const labels = { command, outcome: "ok" };
      expect(sampleOf(metrics, `${METRIC_NAMES.handlerDuration}_count`, labels)).toBe(count);
      expect(sampleOf(metrics, `${METRIC_NAMES.handlerDuration}_bucket`, { ...labels, le: "+Inf" })).toBe(
        count,
      );
      expect(sampleOf(metrics, `${METRIC_NAMES.handlerDuration}_bucket`, { ...labels, le: "2" })).toBe(count);
      expect(sampleOf(metrics, `${METRIC_NAMES.handlerDuration}_sum`, labels)).toBeGreaterThan(0);
    }
    expect(samplesOf(metrics, `${METRIC_NAMES.handlerDuration}_count`)).toHaveLength(handled.length);
    // Bounded labels: no room or user ID in any series.
    expect(text).not.toContain(ROOM_ID);
    expect(text).not.toContain("member-1");
    expect(text).not.toContain("144115233775727695");
  });

  it("a FAIL, a rejection, a deadline and an unknown command, each with a bounded label", async () => {
    const registry = new Registry();
    unregister = registerMetrics(registry);
    const enter = "Room.CallbackAfterMemberEnter";
    const leave = "Room.CallbackAfterMemberLeave";
    const seat = "Mic.CallbackAfterSeatInfoChanged";
    const url = await serve(
      {
        [enter]: () => {
          throw new CallbackError("the room is full", { code: 6001 });
        },
        [leave]: () => new Promise(() => {}),
        [seat]: () => {},
      },
      50,
    );
    expect(await post(url, enter, samples[enter])).toBe(200);
    expect(await post(url, enter, samples[enter], "1400000002")).toBe(403);
    expect(await post(url, leave, samples[leave])).toBe(200);
    const misspelt = "Room.CallbackAfterMemberEnter\u0000";
    expect(
      await post(url, misspelt, samples[enter].replace(enter, "Room.CallbackAfterMemberEnter\\u0000")),
    ).toBe(200);
    expect(await post(url, "Room.CallbackAfterMemberEnterX", "{}")).toBe(200);
    expect(await post(url, "", "{}")).toBe(400);

    const text = await registry.metrics();
    const metrics = parseMetrics(text);
    const requests = METRIC_NAMES.requests;
    expect(sampleOf(metrics, requests, { command: enter, status: "200", action: "FAIL", code: "6001" })).toBe(
      1,
    );
    expect(sampleOf(metrics, requests, { command: enter, status: "403", action: "FAIL", code: "4033" })).toBe(
      1,
    );
    expect(sampleOf(metrics, requests, { command: leave, status: "200", action: "FAIL", code: "5002" })).toBe(
      1,
    );
    expect(sampleOf(metrics, requests, { command: "unknown", status: "200", action: "OK", code: "0" })).toBe(
      2,
    );
    expect(
      sampleOf(metrics, requests, { command: "none", status: "400", action: "FAIL", code: "4004" }),
    ).toBe(1);
    expect(sampleOf(metrics, METRIC_NAMES.unhandled, { command: "unknown", reason: "unknown-command" })).toBe(
      2,
    );
    const duration = `${METRIC_NAMES.handlerDuration}_count`;
    expect(sampleOf(metrics, duration, { command: enter, outcome: "fail" })).toBe(1);
    expect(sampleOf(metrics, duration, { command: leave, outcome: "timeout" })).toBe(1);
    // The names received are never labels.
    expect(text).not.toContain("MemberEnterX");
    expect(text).not.toContain("\u0000");
  });

  it("counts the durable worker's attempts from the handler channel: completed, retried, failed", () => {
    const registry = new Registry();
    unregister = registerMetrics(registry);
    const channel = diagnosticsChannel.tracingChannel(TRACE_CHANNELS.handler);
    const attempt = (outcome: "ok" | "fail", attemptNumber: number, final: boolean) => {
      const message: HandlerTraceMessage = {
        adapter: "bullmq",
        command: "Room.CallbackAfterMemberEnter",
        receivedCommand: "Room.CallbackAfterMemberEnter",
        sdkAppId: SDK_APP_ID,
        jobId: "job-1",
        attempt: attemptNumber,
        final,
        outcome,
      };
      channel.start.publish(message);
      channel.end.publish(message);
      channel.asyncStart.publish(message);
      channel.asyncEnd.publish(message);
    };
    attempt("fail", 1, false);
    attempt("fail", 2, false);
    attempt("ok", 3, false);
    attempt("fail", 1, true);
    return registry.metrics().then((text) => {
      const metrics = parseMetrics(text);
      const command = "Room.CallbackAfterMemberEnter";
      expect(sampleOf(metrics, METRIC_NAMES.jobs, { command, outcome: "retried" })).toBe(2);
      expect(sampleOf(metrics, METRIC_NAMES.jobs, { command, outcome: "completed" })).toBe(1);
      expect(sampleOf(metrics, METRIC_NAMES.jobs, { command, outcome: "failed" })).toBe(1);
      // The worker's calls are jobs, not router handler calls.
      expect(samplesOf(metrics, `${METRIC_NAMES.handlerDuration}_count`)).toEqual([]);
    });
  });
});

describe("the README's sample", () => {
  it("serves the metrics of the router it mounts", async () => {
    const handlers = { "Room.CallbackAfterMemberEnter": () => {} };
    // README: "Observability: metrics" (begin)
    const registry = new Registry();
    const stopMetrics = registerMetrics(registry); // stopMetrics() unregisters them

    const app = express();
    app.use("/trtc", createCallbackRouter({ sdkAppId: 1400000001, handlers }));
    app.get("/metrics", async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    });
    // README: "Observability: metrics" (end)
    unregister = stopMetrics;
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(
      await post(`${base}/trtc`, "Room.CallbackAfterMemberEnter", samples["Room.CallbackAfterMemberEnter"]),
    ).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(
      sampleOf(parseMetrics(text), METRIC_NAMES.requests, {
        command: "Room.CallbackAfterMemberEnter",
        status: "200",
        action: "OK",
        code: "0",
      }),
    ).toBe(1);
  });
});

describe("registering and unregistering", () => {
  it("unregistering stops counting and removes the metrics, and a registry can then be registered again", async () => {
    const registry = new Registry();
    const stop = registerMetrics(registry);
    const url = await serve({ "Room.CallbackAfterMemberEnter": () => {} });
    await post(url, "Room.CallbackAfterMemberEnter", samples["Room.CallbackAfterMemberEnter"]);
    expect(await registry.metrics()).toContain(METRIC_NAMES.requests);

    stop();
    stop();
    expect(await registry.metrics()).not.toContain("trtc_room_callbacks_");
    expect(diagnosticsChannel.tracingChannel(TRACE_CHANNELS.request).hasSubscribers).toBe(false);
    expect(diagnosticsChannel.tracingChannel(TRACE_CHANNELS.handler).hasSubscribers).toBe(false);

    unregister = registerMetrics(registry);
    await post(url, "Room.CallbackAfterMemberEnter", samples["Room.CallbackAfterMemberEnter"]);
    const metrics = parseMetrics(await registry.metrics());
    expect(samplesOf(metrics, METRIC_NAMES.requests).map((sample) => sample.value)).toEqual([1]);
  });

  it("registering twice on one registry is a ConfigurationError that says what to do", () => {
    const registry = new Registry();
    unregister = registerMetrics(registry);
    expect(() => registerMetrics(registry)).toThrow(ConfigurationError);
    expect(() => registerMetrics(registry)).toThrow(
      /already has trtc_room_callbacks_requests_total.*Register once per registry.*call the function the earlier registerMetrics returned/,
    );
  });

  it("one of the names taken by another metric is the same clear error, and nothing is registered", async () => {
    const registry = new Registry();
    new Counter({ name: METRIC_NAMES.jobs, help: "someone else's", registers: [registry] });
    expect(() => registerMetrics(registry)).toThrow(/already has trtc_room_callbacks_jobs_total/);
    expect(await registry.metrics()).not.toContain(METRIC_NAMES.requests);
    expect(diagnosticsChannel.tracingChannel(TRACE_CHANNELS.request).hasSubscribers).toBe(false);
  });

  it("two registries each count every request", async () => {
    const first = new Registry();
    const second = new Registry();
    const stopFirst = registerMetrics(first);
    unregister = registerMetrics(second);
    try {
      const url = await serve({});
      await post(url, "Room.CallbackAfterMemberEnter", samples["Room.CallbackAfterMemberEnter"]);
      for (const registry of [first, second]) {
        const metrics = parseMetrics(await registry.metrics());
        expect(samplesOf(metrics, METRIC_NAMES.requests).map((sample) => sample.value)).toEqual([1]);
      }
    } finally {
      stopFirst();
    }
  });

  it("without an argument it registers on prom-client's global registry", async () => {
    unregister = registerMetrics();
    expect(globalRegistry.getSingleMetric(METRIC_NAMES.requests)).toBeDefined();
    unregister();
    unregister = undefined;
    expect(globalRegistry.getSingleMetric(METRIC_NAMES.requests)).toBeUndefined();
  });

  it.each([null, 42, {}, { getSingleMetric: () => undefined }])(
    "%p is not a registry: a ConfigurationError naming what to pass",
    (value) => {
      expect(() => registerMetrics(value as never)).toThrow(ConfigurationError);
      expect(() => registerMetrics(value as never)).toThrow(
        /needs a prom-client Registry: registerMetrics\(new Registry\(\)\)/,
      );
    },
  );
});
