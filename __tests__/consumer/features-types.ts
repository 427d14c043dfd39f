// Installed from the packed tarball: the feature entries type-checked (never run) under node16 and bundler.
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { createCallbackRouter, type CallbackHandlers } from "trtc-room-callbacks";
import { createCallbackWorker, enqueueCallbacks } from "trtc-room-callbacks/bullmq";
import { registerMetrics } from "trtc-room-callbacks/prometheus";
import { createRoomConfigClient, genUserSig, TencentApiError } from "trtc-room-callbacks/rest";
import { createRoomState, redisRoomStore } from "trtc-room-callbacks/room-state";

const connection = { host: "127.0.0.1", port: 6379, enableOfflineQueue: false, commandTimeout: 1000 };
const queue = new Queue("trtc-callbacks", { connection });
export const router = createCallbackRouter({ sdkAppId: 1400000001, handlers: enqueueCallbacks(queue) });

const rooms = createRoomState({ store: redisRoomStore(new Redis(), { prefix: "trtc:" }) });
const handlers = {
  ...rooms.handlers,
  "Room.CallbackAfterMemberEnter": async (event) => {
    await rooms.apply(event);
    const ids: string[] = event.MemberList_Account ?? [];
    return ids.length;
  },
} satisfies CallbackHandlers<unknown>;
export const worker = createCallbackWorker("trtc-callbacks", {
  connection,
  handlers,
  concurrency: 8,
  attempts: 5,
});

export const unregister: () => void = registerMetrics(new Registry());

const tencent = createRoomConfigClient({ sdkAppId: 1400000001, secretKey: "key", region: "singapore" });
export async function deploy(): Promise<string | undefined> {
  try {
    await tencent.setCallback({ url: "https://example.com/trtc" });
    return (await tencent.getCallback())?.url;
  } catch (error) {
    if (error instanceof TencentApiError) return `${error.code} ${error.info}`;
    throw error;
  }
}
export const sig: string = genUserSig({
  sdkAppId: 1400000001,
  secretKey: "key",
  identifier: "administrator",
});
