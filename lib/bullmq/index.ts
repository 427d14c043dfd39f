/**
 * Durable delivery on BullMQ: `enqueueCallbacks` makes each validated event a
 * job before Tencent is acked, `createCallbackWorker` runs the jobs through
 * the same handlers with retries. `bullmq` is an optional peer dependency,
 * needed only by this entry (`trtc-room-callbacks/bullmq`).
 */
export { enqueueCallbacks, type CallbackQueue, type EnqueueOptions } from "./enqueue";
export { callbackJobId, roomIdOf, type CallbackJobData } from "./job-data";
export { enqueueCallbacksByRoom, roomPartition, roomQueueNames } from "./partition";
export { exponentialBackoff, type BackoffFunction } from "./retry-policy";
export { createCallbackWorker, type CallbackWorkerErrorInfo, type CallbackWorkerOptions } from "./worker";
export type { CallbackWorkerContext, CallbackWorkerHandler, CallbackWorkerHandlers } from "./worker-context";
