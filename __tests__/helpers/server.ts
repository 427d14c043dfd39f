import express from "express";
import request from "supertest";
import { createCallbackRouter, type CallbackRouterOptions } from "../../lib";
import type { Request } from "express";

export const SDK_APP_ID = 1400000001;

/** An in-memory app with the router mounted at /trtc, as the README shows. */
export function createApp(
  options: Partial<CallbackRouterOptions<Request>> = {},
  before?: express.RequestHandler,
) {
  const app = express();
  if (before) app.use(before);
  app.use("/trtc", createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers: {}, ...options }));
  return app;
}

/** The query Tencent sends for `command`. */
export function tencentQuery(command: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    SdkAppid: String(SDK_APP_ID),
    CallbackCommand: command,
    contenttype: "json",
    ClientIP: "1.2.3.4",
    OptPlatform: "Web",
    ...extra,
  });
  return params.toString();
}

/** POSTs raw text the way Tencent does (no Content-Type header unless given). */
export function post(app: express.Express, query: string, body: string, contentType?: string) {
  const req = request(app).post(`/trtc?${query}`);
  if (contentType !== undefined) req.set("Content-Type", contentType);
  return req.send(body);
}

export const OK_ACK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };
