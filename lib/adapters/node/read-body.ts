import type { IncomingMessage } from "node:http";
import type { Deadline } from "../../core/deadline";
import { bodyTimeout, clientGone, tooLarge } from "../../core/incomplete-body";

/**
 * Reads a Node request body into one buffer, bounded by `limit` bytes and by
 * the deadline. Rejects with a 413, or an {@link IncompleteBody} (408 at the
 * deadline, 4990 when the client goes away) carrying what did arrive; leaves
 * no listener or timer behind either way.
 */
export function readBody(req: IncomingMessage, deadline: Deadline, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  // Gone while an earlier middleware ran: no event will come, so do not wait for the deadline.
  if (req.destroyed) return Promise.reject(clientGone(""));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: unknown) => {
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
    const onAbort = () => finish(clientGone(partial()));
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    req.on("close", onClose);
    deadline.onExpire(() => finish(bodyTimeout(deadline, partial())));
  });
}
