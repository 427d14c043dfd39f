import { createHash } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { openAndWrite, parseRaw, requestHead, send, type RawResponse } from "../helpers/raw-client";
import { SDK_APP_ID, TOKEN, type Call, type Records, type Report } from "./behaviour";
import { cases, type ConformanceCase, type TargetName } from "./cases";

/** An adapter serving the conformance app on a port of 127.0.0.1. */
export interface Running {
  readonly port: number;
  /** Hands over and clears what the app recorded. */
  records(): Promise<Records>;
  close(): Promise<void>;
}

/** Runs the whole table against one adapter, started once for all cases. */
export function runConformance(target: TargetName, start: () => Promise<Running>): void {
  describe(`conformance: ${target}`, () => {
    let running: Running | undefined;
    beforeAll(async () => {
      running = await start();
    }, 60_000);
    afterAll(() => running?.close());

    for (const c of cases) {
      const reason = c.skip?.[target];
      if (reason !== undefined) {
        it.skip(`${c.name} (not observable here: ${reason})`, () => undefined);
        continue;
      }
      it(
        c.name,
        async () => {
          if (running === undefined) throw new Error(`${target} did not start`);
          await running.records(); // nothing left over from an earlier case
          const answer = await deliver(running.port, c);
          const records = await collect(running, c);
          const errors = records.errors.map((report) => report.code);
          expect({
            status: answer?.status,
            ...ackFields(answer),
            allow: answer?.headers["allow"],
            calls: records.calls,
            errors,
          }).toEqual({
            status: c.expect.status,
            actionStatus: c.expect.actionStatus,
            errorCode: c.expect.errorCode,
            allow: c.expect.allow,
            calls: c.expect.calls,
            errors: c.expect.errors,
          });
          if (c.expect.reportsPartialBody !== undefined) checkPartial(c, records.errors[0]);
        },
        20_000,
      );
    }
  });
}

/** Listens on an ephemeral port of 127.0.0.1 and returns it. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

/** Closes a Node server, dropping its connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** `records()` for an app recording in this process. */
export function drain(records: Records): () => Promise<Records> {
  return () => {
    const taken = { calls: records.calls, errors: records.errors };
    records.calls = [];
    records.errors = [];
    return Promise.resolve(taken);
  };
}

function firstHalf(body: string): string {
  return body.slice(0, Math.floor(body.length / 2));
}

function pathOf(c: ConformanceCase): string {
  const requestTime = Math.floor(Date.now() / 1000);
  const token = c.query === "bad-sign" ? "another-token" : TOKEN;
  const params: Record<string, string> = {
    SdkAppid: c.query === "wrong-app" ? "1400000002" : String(SDK_APP_ID),
    CallbackCommand: c.command,
    contenttype: "json",
    ClientIP: "1.2.3.4",
    OptPlatform: "Web",
    RequestTime: String(requestTime),
    Sign: createHash("sha256").update(`${token}${requestTime}`).digest("hex"),
  };
  if (c.query === "no-app") delete params["SdkAppid"];
  return `/trtc?${new URLSearchParams(params).toString()}`;
}

/** Sends the case's request; resolves to the answer, or `undefined` when the client hung up. */
async function deliver(port: number, c: ConformanceCase): Promise<RawResponse | undefined> {
  const path = pathOf(c);
  const delivery = c.delivery ?? "whole";
  if (delivery === "whole") return send(port, { method: c.method ?? "POST", path, body: c.body });
  const half = firstHalf(c.body);
  const chunked = delivery.endsWith("-chunked");
  const head = chunked
    ? `${requestHead(path, { "Transfer-Encoding": "chunked" })}${Buffer.byteLength(half).toString(16)}\r\n${half}\r\n`
    : requestHead(path, { "Content-Length": Buffer.byteLength(c.body) }) + half;
  if (delivery.startsWith("stall")) return answerTo(port, head);
  const socket = await openAndWrite(port, head);
  // Give the server a moment to start reading, so the hang-up comes mid-body rather than before it.
  await new Promise((resolve) => setTimeout(resolve, 150));
  socket.destroy();
  return undefined;
}

/**
 * Writes `head` (with part of a body), stays silent and resolves to the
 * answer once it is complete: fetch runtimes keep the connection open after
 * it, so the end of the connection cannot mark the end of the answer.
 */
function answerTo(port: number, head: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const timer = setTimeout(() => finish(new Error(`no complete answer in 10 s; got: ${received}`)), 10_000);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(parseRaw(received));
    };
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
      const end = received.indexOf("\r\n\r\n");
      const length = /\r\ncontent-length: *(\d+)/i.exec(received.slice(0, end));
      if (end !== -1 && length && Buffer.byteLength(received.slice(end + 4)) >= Number(length[1])) finish();
    });
    socket.on("end", () => finish());
    socket.on("error", (error) => finish(error));
    socket.write(head);
  });
}

function ackFields(answer: RawResponse | undefined): { actionStatus?: string; errorCode?: number } {
  if (answer === undefined) return { actionStatus: undefined, errorCode: undefined };
  if (!/^application\/json/.test(String(answer.headers["content-type"]))) {
    return {
      actionStatus: `not JSON (${String(answer.headers["content-type"])}): ${answer.text.slice(0, 100)}`,
    };
  }
  const ack = JSON.parse(answer.text) as { ActionStatus: string; ErrorCode: number };
  return { actionStatus: ack.ActionStatus, errorCode: ack.ErrorCode };
}

/**
 * What the app recorded for the case. Reports can come after the answer (a
 * hang-up has none), so this waits until the expected number arrived, or
 * three seconds passed; then the comparison shows what is missing.
 */
async function collect(running: Running, c: ConformanceCase): Promise<Records> {
  const calls: Call[] = [];
  const errors: Report[] = [];
  for (let waited = 0; ; waited += 50) {
    const records = await running.records();
    calls.push(...records.calls);
    errors.push(...records.errors);
    const complete = calls.length >= c.expect.calls.length && errors.length >= c.expect.errors.length;
    if (complete || waited >= 3000) return { calls, errors };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function checkPartial(c: ConformanceCase, report: Report | undefined): void {
  const sent = firstHalf(c.body);
  if (c.expect.reportsPartialBody === "exact") {
    expect(report?.rawBody).toBe(sent);
    return;
  }
  expect(sent.startsWith(report?.rawBody ?? "\u0000")).toBe(true);
}
