/**
 * Helpers for testing your callback handlers, with no dependency on a test
 * framework: realistic events, the query Tencent sends, its signature, and an
 * in-process runner of the router's pipeline.
 *
 * @example
 * ```ts
 * import { callbackQuery, createCallbackTester, sampleEvent, sign } from "trtc-room-callbacks/testing";
 * ```
 *
 * @packageDocumentation
 */
export { sampleEvent, type EventOverrides } from "./sample-event";
export { callbackQuery, type CallbackQueryOptions, type CallbackQueryParams } from "./callback-query";
export {
  createCallbackTester,
  type CallbackTester,
  type CallbackTesterOptions,
  type CallbackTestResult,
  type PostOptions,
  type SendOptions,
  type TestRequestInit,
} from "./tester";
export { sign } from "../protocol/sign";
