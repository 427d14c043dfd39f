import type { IncomingMessage } from "node:http";
import type { Deadline } from "./deadline";
import { ErrorCodes, RequestAbortedError, RequestRejectedError } from "./errors";

/**
 * Reads a request body into one buffer, bounded by `limit` bytes and by the
 * deadline. Rejects with a 413, a 408, or a {@link RequestAbortedError} when
 * the client goes away; leaves no listener or timer behind either way.
 */
export function readBody(req: IncomingMessage, limit: number, deadline: Deadline): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  // Gone while an earlier middleware ran: no event will come, so do not wait for the deadline.
  if (req.destroyed) return Promise.reject(aborted(""));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | undefined) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      req.off("close", onClose);
      deadline.onExpire(undefined);
      if (error) reject(error);
      else resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(undefined);
    // What did arrive goes into the report, so the event is not lost without a trace.
    const partial = () => Buffer.concat(chunks).toString("utf8");
    const onAbort = () => finish(aborted(partial()));
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    req.on("close", onClose);
    deadline.onExpire(() =>
      finish(
        new RequestRejectedError(
          `the body did not arrive within ${deadline.ms} ms`,
          ErrorCodes.BodyTimeout,
          408,
          { rawBody: partial() },
        ),
      ),
    );
  });
}

function aborted(rawBody: string): RequestAbortedError {
  return new RequestAbortedError(
    "the client closed the connection before the body was complete",
    ErrorCodes.RequestAborted,
    499,
    { rawBody },
  );
}

function tooLarge(limit: number): RequestRejectedError {
  return new RequestRejectedError(
    `the body is larger than the limit of ${limit} bytes`,
    ErrorCodes.PayloadTooLarge,
    413,
  );
}
