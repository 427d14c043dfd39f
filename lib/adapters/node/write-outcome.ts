import { STATUS_CODES, type ServerResponse } from "node:http";
import { OK, type Outcome } from "./ack";

const CONTENT_TYPE = "application/json; charset=utf-8";
const OK_BODY = Buffer.from(JSON.stringify(OK.ack));
const OK_HEADERS = ["Content-Type", CONTENT_TYPE, "Content-Length", String(OK_BODY.length)];

/**
 * Writes an acknowledgement. The only place that touches the response; it
 * writes at most once, whatever a handler did to `res` meanwhile, and never
 * throws.
 */
export function writeAck(res: ServerResponse, outcome: Outcome): void {
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
      res.end(OK_BODY);
      return;
    }
    const body = Buffer.from(JSON.stringify(outcome.ack));
    const headers: Record<string, string> = {
      ...outcome.headers,
      "Content-Type": CONTENT_TYPE,
      "Content-Length": String(body.length),
    };
    if (outcome.close) headers["Connection"] = "close";
    res.writeHead(outcome.status, STATUS_CODES[outcome.status] ?? "", headers);
    res.end(body);
  } catch {
    // Only a handler tampering with `res` gets here; dropping the connection is all that is left.
    res.destroy();
  }
}
