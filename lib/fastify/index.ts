/**
 * The Fastify 5 entry (Fastify is an optional peer dependency).
 *
 * @example
 * ```ts
 * import { trtcRoomCallbacks } from "trtc-room-callbacks/fastify";
 * await app.register(trtcRoomCallbacks, { prefix: "/trtc", sdkAppId: 1400000001, handlers: {} });
 * ```
 *
 * @packageDocumentation
 */
export { trtcRoomCallbacks, type FastifyCallbackOptions } from "../adapters/fastify";
