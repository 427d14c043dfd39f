import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import express from "express";
import request from "supertest";
import { createCallbackRouter, type CallbackCommand, type CallbackHandlers } from "trtc-room-callbacks";
import { callbackQuery } from "trtc-room-callbacks/testing";
import type { RedisServer } from "./servers";

/** What the durable tests share: a producer connection that fails fast, a router, a sender, a poller and worker processes. */

export const SDK_APP_ID = 1400000001;

/** The connection options enqueueCallbacks accepts: no offline queue, a command timeout. */
export function producerConnection(redis: RedisServer) {
  return { host: "127.0.0.1", port: redis.port, enableOfflineQueue: false, commandTimeout: 500 };
}

/** An Express app with the router mounted at /trtc. */
export function routerApp(
  handlers: CallbackHandlers<express.Request>,
  options: { onError?: (...args: never[]) => unknown; timeoutMs?: number } = {},
) {
  const app = express();
  app.use(
    "/trtc",
    createCallbackRouter({
      sdkAppId: SDK_APP_ID,
      handlers,
      timeoutMs: options.timeoutMs ?? 1500,
      onError: options.onError as never,
    }),
  );
  return app;
}

/** POSTs one callback as Tencent does; resolves to the parsed ack. */
export async function sendCallback(app: express.Express, command: CallbackCommand, body: string) {
  const response = await request(app)
    .post("/trtc")
    .query(callbackQuery({ sdkAppId: SDK_APP_ID, command }))
    .send(body);
  return {
    status: response.status,
    ack: JSON.parse(response.text) as { ActionStatus: string; ErrorCode: number; ErrorInfo: string },
  };
}

/** A MemberEnter body for `room`, its members and time, as JSON text. */
export function memberEnter(room: string, members: string[], eventTime: number): string {
  return JSON.stringify({
    CallbackCommand: "Room.CallbackAfterMemberEnter",
    RoomId: room,
    MemberCount: members.length,
    Type: "Enter",
    MemberList_Account: members,
    EventTime: eventTime,
  });
}

/** Polls `check` every 50 ms until it returns a value other than undefined/false; the test's timeout bounds it. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A callback worker in a child process (helpers/bullmq-worker.cjs); resolves once it is ready. */
export async function spawnWorker(
  url: string,
  queueName: string,
  mode: "quick" | "slow" | "flaky" | "broken",
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      "--require",
      join(__dirname, "ts-require.cjs"),
      join(__dirname, "bullmq-worker.cjs"),
      url,
      queueName,
      mode,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("ready")) resolve();
    });
    child.once("exit", (code, signal) =>
      reject(new Error(`the worker exited (${code ?? signal}) before it was ready`)),
    );
  });
  return child;
}

/** Ends a worker process (SIGKILL when `kill`), and waits for it to exit. */
export async function endWorker(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}
