import type { Deadline } from "../core/deadline";
import { ErrorCodes, RequestRejectedError } from "../core/errors";
import { createCallbackHandle } from "../core/handle";
import { bodyTimeout, clientGone, IncompleteBody, tooLarge } from "../core/incomplete-body";
import { configure } from "../core/options";
import { OK, type Outcome } from "../core/outcome";
import { lenientText } from "../core/parse-body";
import { probeTracer } from "../core/trace";
import type { CallbackOptions } from "../core/types";
import { ACK_CONTENT_TYPE, OK_ACK_JSON } from "../protocol/ack";
import { webSha256Hex } from "../protocol/signature";

/** A Web fetch handler: what Next.js route handlers, Hono, Bun, Deno and Workers call. */
export type CallbackFetchHandler = (request: Request) => Promise<Response>;

/**
 * Creates a Web-standard handler, `(request: Request) => Promise<Response>`,
 * that receives Tencent's Room callbacks on any runtime with the fetch API:
 * Next.js App Router, Hono, Bun, Deno, Cloudflare Workers, Tencent EdgeOne
 * Functions, or Node through `@hono/node-server`. It needs only Web APIs
 * (Web Crypto for signatures). It answers every request it gets, whatever
 * the path; handlers get the `Request` as `context.request`.
 *
 * Pass the `Request` as it arrived, body unread: one whose body was already
 * read is answered 500 with `ErrorCode` 5901.
 *
 * Throws a `ConfigurationError` with what to fix when the options are wrong.
 *
 * @example
 * ```ts
 * // app/trtc/route.ts (Next.js App Router)
 * export const POST = createCallbackFetchHandler({ sdkAppId: 1400000001, handlers });
 * ```
 */
export function createCallbackFetchHandler(options: CallbackOptions<Request>): CallbackFetchHandler {
  const config = configure(options);
  const handle = createCallbackHandle(config, {
    name: "fetch",
    sha256Hex: webSha256Hex,
    tracer: probeTracer(),
  });
  return function trtcRoomCallbacks(request: Request): Promise<Response> {
    return handle(
      {
        method: request.method,
        url: request.url,
        request,
        readBody: (deadline, limit) => readRequestBody(request, deadline, limit),
      },
      toResponse,
    );
  };
}

/**
 * Reads a `Request`'s body into one array, bounded by `limit` bytes (the
 * declared `Content-Length`, or the bytes counted as they stream) and by the
 * deadline. Rejects with a 413 or 5901, or an {@link IncompleteBody} (408 at
 * the deadline, 4990 when the client hung up).
 */
function readRequestBody(request: Request, deadline: Deadline, limit: number): Promise<Uint8Array> {
  // A body being read by someone else (a locked stream) is as gone as one already read.
  if (request.bodyUsed || request.body?.locked === true) {
    return Promise.reject(
      new RequestRejectedError(
        "the request body was already read: pass the original Request to the callback handler before anything reads its body (in Hono: c.req.raw, before any c.req.json())",
        ErrorCodes.BodyAlreadyRead,
        500,
      ),
    );
  }
  const length = request.headers.get("content-length");
  if (length !== null) {
    if (Number(length) > limit) return Promise.reject(tooLarge(limit));
    return readDeclaredBody(request, deadline);
  }
  return readStreamedBody(request, deadline, limit);
}

/**
 * A body whose `Content-Length` is within `limit`: the runtime frames it to
 * that length, so it is read whole with `arrayBuffer()`, every runtime's
 * fast path (on `@hono/node-server` the stream route costs four times the
 * CPU). It yields nothing until the body is complete, so a 408 or 4990 here
 * reports no partial body.
 */
function readDeclaredBody(request: Request, deadline: Deadline): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    deadline.onExpire(() => reject(bodyTimeout(deadline, "")));
    request.arrayBuffer().then(
      (buffer) => {
        deadline.onExpire(undefined);
        resolve(new Uint8Array(buffer));
      },
      // The body stream failed: the client went away before it was complete.
      () => {
        deadline.onExpire(undefined);
        reject(clientGone(""));
      },
    );
  });
}

/**
 * A body without `Content-Length` (chunked): counted as it streams and
 * cancelled past `limit`; at the deadline or a hang-up, what arrived is
 * reported.
 */
async function readStreamedBody(request: Request, deadline: Deadline, limit: number): Promise<Uint8Array> {
  const { signal } = request;
  if (signal.aborted) throw clientGone("");
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);

  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let stop: ((reason: unknown) => void) | undefined;
  // Rejects when the deadline passes or the client goes away, racing the read in progress.
  const stopped = new Promise<never>((_, reject) => {
    stop = reject;
  });
  const onAbort = () => stop?.(clientGone(partial()));
  const partial = () => lenientText(concat(chunks, size));
  signal.addEventListener("abort", onAbort);
  deadline.onExpire(() => stop?.(bodyTimeout(deadline, partial())));
  try {
    for (;;) {
      let result: Awaited<ReturnType<typeof reader.read>>;
      try {
        result = await Promise.race([reader.read(), stopped]);
      } catch (error) {
        // A stream that errors is a client that went away; the deadline and the hang-up carry their own.
        throw error instanceof IncompleteBody ? error : clientGone(partial());
      }
      if (result.done) return concat(chunks, size);
      size += result.value.byteLength;
      if (size > limit) throw tooLarge(limit);
      chunks.push(result.value);
    }
  } catch (error) {
    reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    stop = undefined;
    signal.removeEventListener("abort", onAbort);
    deadline.onExpire(undefined);
    reader.releaseLock();
  }
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

const OK_INIT: ResponseInit = { status: 200, headers: { "Content-Type": ACK_CONTENT_TYPE } };

/**
 * The one place the fetch adapter makes a response. `Connection: close` is
 * left out: connections belong to the runtime in fetch. A 499 (the client
 * is gone) still gets a response, which the runtime discards.
 */
function toResponse(outcome: Outcome): Response {
  if (outcome === OK) return new Response(OK_ACK_JSON, OK_INIT);
  return new Response(JSON.stringify(outcome.ack), {
    status: outcome.status,
    headers: { ...outcome.headers, "Content-Type": ACK_CONTENT_TYPE },
  });
}
