import type { Request, RequestHandler, Response } from "express";
import type { Deadline } from "../core/deadline";
import { createCallbackHandle } from "../core/handle";
import { configure } from "../core/options";
import type { BodyInput } from "../core/parse-body";
import type { CallbackOptions } from "../core/types";
import { nodeSha256Hex } from "../protocol/sign";
import { readBody } from "./node/read-body";
import { nodeTracer } from "./node/trace";
import { writeOutcome } from "./node/write-outcome";

/**
 * Creates the Express middleware that receives Tencent's Room callbacks:
 * checks `SdkAppid` (and the signature when a token is set), reads and
 * validates the body, calls your handler, and acks OK when it resolves or
 * FAIL when it throws. Every request that reaches it is answered; mount it at
 * the path you configured on Tencent's side. Works with Express 4 and 5.
 *
 * Throws a `ConfigurationError` with what to fix when the options are wrong.
 *
 * @example
 * ```ts
 * app.use("/trtc", createCallbackRouter({
 *   sdkAppId: 1400000001,
 *   handlers: {
 *     "Room.CallbackAfterMemberEnter": async (event) => {
 *       await rooms.addMembers(event.RoomId, event.MemberList_Account ?? []);
 *     },
 *   },
 * }));
 * ```
 */
export function createCallbackRouter(options: CallbackOptions<Request>): RequestHandler {
  const config = configure(options);
  const handle = createCallbackHandle(config, {
    name: "express",
    sha256Hex: nodeSha256Hex,
    tracer: nodeTracer,
  });
  return function trtcRoomCallbacks(req: Request, res: Response): void {
    void handle(
      {
        method: req.method,
        url: req.url,
        traceUrl: req.originalUrl,
        request: req,
        readBody: (deadline, limit) => bodyOf(req, deadline, limit),
      },
      (outcome) => writeOutcome(res, outcome),
    );
  };
}

/**
 * The body, whether or not a body parser such as `express.json()` ran first.
 * A parser that consumed the stream leaves its result in `req.body`; one that
 * skipped the request (another content type) leaves the stream unread.
 */
function bodyOf(req: Request, deadline: Deadline, limit: number): Promise<BodyInput> {
  const consumed = (req as { _body?: boolean })._body === true || req.readableEnded;
  if (!consumed) return readBody(req, deadline, limit);
  const body: unknown = req.body;
  if (typeof body === "string" || body instanceof Uint8Array) return Promise.resolve(body);
  return Promise.resolve(body === undefined ? "" : { parsed: body });
}
