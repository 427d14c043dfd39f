import { STATUS_CODES, type ServerResponse } from "node:http";
import { OK, type Outcome } from "../../core/outcome";
import { ACK_CONTENT_TYPE, OK_ACK_JSON } from "../../protocol/ack";

// Bodies are written as strings: Node then sends the head and the body in one write, where a
// Buffer body costs a second chunk and a writev (measured with bench/profile.mjs: 38 % of the CPU).
const OK_HEADERS = ["Content-Type", ACK_CONTENT_TYPE, "Content-Length", String(OK_ACK_JSON.length)];

/**
 * Writes an outcome on a Node response: the only place Node's transports
 * touch it. Writes at most once, whatever a handler did to `res` meanwhile,
 * and never throws.
 */
export function writeOutcome(res: ServerResponse, outcome: Outcome): void {
  if (res.writableEnded || res.destroyed) return;
  try {
    // A handler started its own response: finish it rather than leave the client waiting for the rest.
    if (res.headersSent) {
      res.end();
      return;
    }
    // The reason phrase is given so that a `statusMessage` a handler set cannot make writeHead throw.
    if (outcome === OK) {
      res.writeHead(200, "OK", OK_HEADERS);
      res.end(OK_ACK_JSON);
      return;
    }
    const body = JSON.stringify(outcome.ack);
    const headers: Record<string, string> = {
      ...outcome.headers,
      "Content-Type": ACK_CONTENT_TYPE,
      "Content-Length": String(Buffer.byteLength(body)),
    };
    if (outcome.close) headers["Connection"] = "close";
    res.writeHead(outcome.status, STATUS_CODES[outcome.status] ?? "", headers);
    // With `Connection: close`, Node destroys the socket once the answer is out, so an unread body stops there.
    res.end(body);
  } catch {
    // Only a handler tampering with `res` gets here; dropping the connection is all that is left.
    res.destroy();
  }
}
