import { createCallbackFetchHandler, type CallbackFailureInfo } from "trtc-room-callbacks/fetch";
import { samples } from "./helpers/fixtures";

/**
 * The fetch handler's body reading, with Web `Request`s built in-process:
 * what the conformance table cannot send over HTTP (a stream that never
 * ends, a client abort signalled on the Request, a body already read).
 */

const SEAT = "Mic.CallbackAfterSeatInfoChanged";
const URL_ = `https://example.com/trtc?SdkAppid=1400000001&CallbackCommand=${SEAT}`;
const encoder = new TextEncoder();

interface Report {
  code: number;
  rawBody: string | undefined;
}

function setup(options: { limit?: number; timeoutMs?: number } = {}) {
  const reports: Report[] = [];
  const calls: unknown[] = [];
  const handler = createCallbackFetchHandler({
    sdkAppId: 1400000001,
    ...options,
    handlers: { [SEAT]: (event: unknown) => void calls.push(event) },
    onError: (error, info: CallbackFailureInfo<Request>) => {
      reports.push({ code: error.code, rawBody: info.rawBody });
    },
  });
  return { handler, reports, calls };
}

/** A chunked body (no Content-Length): `parts` enqueued, then left open or closed. */
function streamed(parts: string[], close: boolean) {
  let cancelled: unknown = "not cancelled";
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      if (close) controller.close();
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  return { body, cancelled: () => cancelled };
}

async function answer(response: Response) {
  const ack = (await response.json()) as { ActionStatus: string; ErrorCode: number; ErrorInfo: string };
  return { status: response.status, code: ack.ErrorCode, info: ack.ErrorInfo };
}

it("reads a chunked body as it streams: the 18-digit ID arrives exact", async () => {
  const { handler, calls } = setup();
  const text = samples[SEAT];
  const { body } = streamed([text.slice(0, 100), text.slice(100)], true);
  const res = await handler(new Request(URL_, { method: "POST", body, duplex: "half" } as RequestInit));
  expect(await answer(res)).toEqual({ status: 200, code: 0, info: "" });
  expect(calls).toEqual([
    expect.objectContaining({
      SeatList: [expect.objectContaining({ Member_Account: "144115233775727695" })],
    }),
  ]);
});

it("counts a chunked body past limit: 413, and the stream is cancelled", async () => {
  const { handler, reports, calls } = setup({ limit: 64 });
  const stream = streamed(["x".repeat(40), "x".repeat(40)], false);
  const res = await handler(
    new Request(URL_, { method: "POST", body: stream.body, duplex: "half" } as RequestInit),
  );
  expect(await answer(res)).toMatchObject({ status: 413, code: 4130 });
  expect(stream.cancelled()).not.toBe("not cancelled");
  expect(reports.map((report) => report.code)).toEqual([4130]);
  expect(calls).toEqual([]);
});

it("refuses a declared Content-Length over limit before reading a byte", async () => {
  const { handler } = setup({ limit: 64 });
  const body = new ReadableStream<Uint8Array>();
  const request = new Request(URL_, {
    method: "POST",
    body,
    duplex: "half",
    headers: { "Content-Length": "65" },
  } as RequestInit);
  expect(await answer(await handler(request))).toMatchObject({ status: 413, code: 4130 });
  expect(request.bodyUsed).toBe(false);
});

it("answers 408 at the deadline for a chunked body still arriving, with the part that arrived", async () => {
  const { handler, reports } = setup({ timeoutMs: 100 });
  const stream = streamed(['{"CallbackCommand":'], false);
  const res = await handler(
    new Request(URL_, { method: "POST", body: stream.body, duplex: "half" } as RequestInit),
  );
  expect(await answer(res)).toMatchObject({ status: 408, code: 4080 });
  expect(reports).toEqual([{ code: 4080, rawBody: '{"CallbackCommand":' }]);
  expect(stream.cancelled()).not.toBe("not cancelled");
});

it("reports 4990 with the part that arrived when the request's signal aborts mid-body", async () => {
  const { handler, reports, calls } = setup();
  const controller = new AbortController();
  const stream = streamed(['{"RoomId":'], false);
  const request = new Request(URL_, {
    method: "POST",
    body: stream.body,
    duplex: "half",
    signal: controller.signal,
  } as RequestInit);
  const pending = handler(request);
  await new Promise((resolve) => setTimeout(resolve, 20));
  controller.abort();
  expect(await answer(await pending)).toMatchObject({ status: 499, code: 4990 });
  expect(reports).toEqual([{ code: 4990, rawBody: '{"RoomId":' }]);
  expect(calls).toEqual([]);
});

it("answers a Request whose body was already read with 500/5901 that says what to do", async () => {
  const { handler, reports, calls } = setup();
  const request = new Request(URL_, { method: "POST", body: samples[SEAT] });
  await request.text();
  const got = await answer(await handler(request));
  expect(got).toMatchObject({ status: 500, code: 5901 });
  expect(got.info).toMatch(/pass the original Request/);
  expect(reports.map((report) => report.code)).toEqual([5901]);
  expect(calls).toEqual([]);
});

it("answers a Request whose body stream another reader holds with 500/5901, not as a client that left", async () => {
  const { handler, reports, calls } = setup();
  const request = new Request(URL_, { method: "POST", body: samples[SEAT] });
  const reader = request.body?.getReader();
  const got = await answer(await handler(request));
  expect(got).toMatchObject({ status: 500, code: 5901 });
  expect(reports.map((report) => report.code)).toEqual([5901]);
  expect(calls).toEqual([]);
  reader?.releaseLock();
});

it("answers a POST without a body 400/4001, and other methods 405 with Allow: POST", async () => {
  const { handler } = setup();
  expect(await answer(await handler(new Request(URL_, { method: "POST" })))).toMatchObject({
    status: 400,
    code: 4001,
  });
  const res = await handler(new Request(URL_, { method: "PUT", body: "{}" }));
  expect({ allow: res.headers.get("allow"), ...(await answer(res)) }).toMatchObject({
    allow: "POST",
    status: 405,
    code: 4050,
  });
});

it("checks its options when created: a typo gets a suggestion", () => {
  expect(() => createCallbackFetchHandler({ sdkAppId: 1400000001, handlers: {}, limt: 10 } as never)).toThrow(
    /did you mean "limit"/,
  );
});
