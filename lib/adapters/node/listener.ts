import type { IncomingMessage, ServerResponse } from "node:http";
import { createCallbackHandle } from "../../core/handle";
import { configure } from "../../core/options";
import type { CallbackOptions } from "../../core/types";
import { nodeSha256Hex } from "../../protocol/sign";
import { readBody } from "./read-body";
import { nodeTracer } from "./trace";
import { writeOutcome } from "./write-outcome";

/**
 * Creates a `node:http` request listener that receives Tencent's Room
 * callbacks: `http.createServer(createCallbackListener(options))`. It answers
 * every request it gets, whatever the path, so give it a server of its own
 * or call it only for the callback path. Works with anything that hands you
 * Node's `req` and `res` (Koa with `ctx.respond = false`, …); handlers get
 * the `IncomingMessage` as `context.request`.
 *
 * Throws a `ConfigurationError` with what to fix when the options are wrong.
 *
 * @example
 * ```ts
 * http.createServer(createCallbackListener({ sdkAppId: 1400000001, handlers })).listen(3000);
 * ```
 */
export function createCallbackListener(
  options: CallbackOptions<IncomingMessage>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const config = configure(options);
  const handle = createCallbackHandle(config, {
    name: "node",
    sha256Hex: nodeSha256Hex,
    tracer: nodeTracer,
  });
  return function trtcRoomCallbacks(req: IncomingMessage, res: ServerResponse): void {
    void handle(
      {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        request: req,
        readBody: (deadline, limit) => readBody(req, deadline, limit),
      },
      (outcome) => writeOutcome(res, outcome),
    );
  };
}
