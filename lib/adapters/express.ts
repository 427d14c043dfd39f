import type { NextFunction, Request, RequestHandler, Response } from "express";
import { Deadline } from "./deadline";
import { log } from "./log";
import { configure } from "./options";
import type { BodyInput } from "./body";
import { createPipeline } from "./pipeline";
import { readBody } from "./read-body";
import { writeAck } from "./respond";
import type { CallbackRouterOptions } from "./types";

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
export function createCallbackRouter(options: CallbackRouterOptions<Request>): RequestHandler {
  const config = configure(options);
  const process = createPipeline(config);
  return function trtcRoomCallbacks(req: Request, res: Response, next: NextFunction): void {
    const deadline = new Deadline(config.timeoutMs);
    process({
      method: req.method,
      url: req.url,
      request: req,
      deadline,
      readBody: () => bodyOf(req, config.limit, deadline),
    })
      .then((outcome) => {
        writeAck(res, outcome);
        if (log.request.enabled) {
          log.request(
            "%s %s -> %d %s %d",
            req.method,
            req.url,
            outcome.status,
            outcome.ack.ActionStatus,
            outcome.ack.ErrorCode,
          );
        }
      })
      .catch(next)
      .finally(() => deadline.clear());
  };
}

/**
 * The body, whether or not a body parser such as `express.json()` ran first.
 * A parser that consumed the stream leaves its result in `req.body`; one that
 * skipped the request (another content type) leaves the stream unread.
 */
function bodyOf(req: Request, limit: number, deadline: Deadline): Promise<BodyInput> {
  const consumed = (req as { _body?: boolean })._body === true || req.readableEnded;
  if (!consumed) return readBody(req, limit, deadline);
  const body: unknown = req.body;
  if (typeof body === "string" || body instanceof Uint8Array) return Promise.resolve(body);
  return Promise.resolve(body === undefined ? "" : { parsed: body });
}
