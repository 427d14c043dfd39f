import { samples } from "../helpers/fixtures";
import { BEHAVIOURS, CALLBACK_ERROR_CODE, LIMIT, type Call } from "./behaviour";

/**
 * The conformance table: one request each, and what every adapter must
 * answer and report for it. Run against Express 5 and 4, node:http, Fastify
 * 5, and the fetch handler under Hono on @hono/node-server, Deno, Bun and
 * workerd (`__tests__/conformance/*.test.ts`).
 */

/** The adapters the table runs against. */
export type TargetName = "express" | "node" | "fastify" | "hono" | "deno" | "bun" | "workerd";

/** How the query is made. */
export type QueryKind =
  /** SdkAppid, CallbackCommand and a valid Sign for the current time. */
  | "signed"
  /** As "signed", with another app's SdkAppid. */
  | "wrong-app"
  /** As "signed", without SdkAppid. */
  | "no-app"
  /** As "signed", with a Sign made with another token. */
  | "bad-sign";

/** How the body is sent. */
export type Delivery =
  /** Whole, with its Content-Length. */
  | "whole"
  /** Its first half only, Content-Length announcing all of it; then silence until the answer. */
  | "stall"
  /** Its first half only, as one chunk of a chunked body; then silence until the answer. */
  | "stall-chunked"
  /** Its first half only, Content-Length announcing all of it; then the client closes the connection. */
  | "hang-up"
  /** Its first half only, as one chunk of a chunked body; then the client closes the connection. */
  | "hang-up-chunked";

export interface ConformanceCase {
  readonly name: string;
  readonly method?: string;
  readonly query?: QueryKind;
  /** The query's CallbackCommand; the body's when not given. */
  readonly command: string;
  readonly body: string;
  readonly delivery?: Delivery;
  readonly expect: {
    /** HTTP status; `undefined` when no answer can reach the client (it hung up). */
    readonly status?: number;
    readonly actionStatus?: "OK" | "FAIL";
    readonly errorCode?: number;
    readonly allow?: string;
    readonly calls: readonly Call[];
    /** `onError` codes, in order. */
    readonly errors: readonly number[];
    /**
     * What `onError` gets as `rawBody`: exactly the part of the body that
     * was sent ("exact"), or a part of that part, maybe empty ("prefix": a
     * hang-up may beat bytes to the reader).
     */
    readonly reportsPartialBody?: "exact" | "prefix";
  };
  /** Adapters that skip this case, and why: what their transport cannot observe. */
  readonly skip?: Partial<Record<TargetName, string>>;
}

const SEAT = "Mic.CallbackAfterSeatInfoChanged";
const DESTROY = "Room.CallbackAfterDestroyRoom";

/** The documented destroy-room sample with another `Operator_Account`, which chooses the handler's behaviour. */
function destroyBody(operator: string): string {
  return samples[DESTROY].replace('"Operator_Account": "admin"', `"Operator_Account": "${operator}"`);
}

export const cases: readonly ConformanceCase[] = [
  {
    name: "OK, an 18-digit bare-number ID arriving exact",
    command: SEAT,
    body: samples[SEAT],
    expect: {
      status: 200,
      actionStatus: "OK",
      errorCode: 0,
      calls: [{ command: SEAT, operator: BEHAVIOURS.ok, member: "144115233775727695", request: "own" }],
      errors: [],
    },
  },
  {
    name: "another app's SdkAppid: 403/4033",
    query: "wrong-app",
    command: SEAT,
    body: samples[SEAT],
    expect: { status: 403, actionStatus: "FAIL", errorCode: 4033, calls: [], errors: [4033] },
  },
  {
    name: "no SdkAppid: 403/4031",
    query: "no-app",
    command: SEAT,
    body: samples[SEAT],
    expect: { status: 403, actionStatus: "FAIL", errorCode: 4031, calls: [], errors: [4031] },
  },
  {
    name: "a Sign made with another token: 401/4013",
    query: "bad-sign",
    command: SEAT,
    body: samples[SEAT],
    expect: { status: 401, actionStatus: "FAIL", errorCode: 4013, calls: [], errors: [4013] },
  },
  {
    name: "GET: 405 with Allow: POST",
    method: "GET",
    command: SEAT,
    body: "",
    expect: { status: 405, actionStatus: "FAIL", errorCode: 4050, allow: "POST", calls: [], errors: [4050] },
  },
  {
    name: "a body over limit: 413/4130",
    command: DESTROY,
    body: destroyBody("x".repeat(LIMIT)),
    expect: { status: 413, actionStatus: "FAIL", errorCode: 4130, calls: [], errors: [4130] },
  },
  {
    name: "a body that is not JSON: 400/4001",
    command: DESTROY,
    body: '{"CallbackCommand": "Room.CallbackAfterDestroyRoom", "RoomId": ',
    expect: { status: 400, actionStatus: "FAIL", errorCode: 4001, calls: [], errors: [4001] },
  },
  {
    name: "a body that fails the schema: 400/4002",
    command: DESTROY,
    body: '{"CallbackCommand": "Room.CallbackAfterDestroyRoom", "Operator_Account": "admin", "EventTime": 1}',
    expect: { status: 400, actionStatus: "FAIL", errorCode: 4002, calls: [], errors: [4002] },
  },
  {
    name: "the handler throws a CallbackError: 200, FAIL with its code",
    command: DESTROY,
    body: destroyBody(BEHAVIOURS.callbackError),
    expect: {
      status: 200,
      actionStatus: "FAIL",
      errorCode: CALLBACK_ERROR_CODE,
      calls: [{ command: DESTROY, operator: BEHAVIOURS.callbackError, request: "own" }],
      errors: [CALLBACK_ERROR_CODE],
    },
  },
  {
    name: "the handler throws an Error: 200, FAIL 5000",
    command: DESTROY,
    body: destroyBody(BEHAVIOURS.throws),
    expect: {
      status: 200,
      actionStatus: "FAIL",
      errorCode: 5000,
      calls: [{ command: DESTROY, operator: BEHAVIOURS.throws, request: "own" }],
      errors: [5000],
    },
  },
  {
    name: "the handler outlives the deadline: 200, FAIL 5002, context.signal aborted, then 5003",
    command: DESTROY,
    body: destroyBody(BEHAVIOURS.hangs),
    expect: {
      status: 200,
      actionStatus: "FAIL",
      errorCode: 5002,
      calls: [{ command: DESTROY, operator: BEHAVIOURS.hangs, request: "own", aborted: true }],
      // It settles on the abort: after the FAIL, so a late settlement (5003) follows.
      errors: [5002, 5003],
    },
  },
  {
    name: "a chunked body still arriving at the deadline: 408/4080, the part that arrived reported",
    command: DESTROY,
    body: destroyBody(BEHAVIOURS.ok),
    delivery: "stall-chunked",
    expect: {
      status: 408,
      actionStatus: "FAIL",
      errorCode: 4080,
      calls: [],
      errors: [4080],
      reportsPartialBody: "exact",
    },
  },
  {
    name: "a body with Content-Length still arriving at the deadline: 408/4080",
    command: DESTROY,
    body: destroyBody(BEHAVIOURS.ok),
    delivery: "stall",
    // The fetch handler reads such a body with arrayBuffer(), which yields nothing until it is whole.
    expect: { status: 408, actionStatus: "FAIL", errorCode: 4080, calls: [], errors: [4080] },
  },
  {
    name: "a client that hangs up mid-body (chunked): 4990 reported with what arrived",
    command: DESTROY,
    body: destroyBody(BEHAVIOURS.ok),
    delivery: "hang-up-chunked",
    expect: { calls: [], errors: [4990], reportsPartialBody: "prefix" },
  },
  {
    name: "a client that hangs up mid-body (Content-Length): 4990 reported",
    command: DESTROY,
    body: destroyBody(BEHAVIOURS.ok),
    delivery: "hang-up",
    expect: { calls: [], errors: [4990], reportsPartialBody: "prefix" },
  },
];
