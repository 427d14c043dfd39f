// Installed from the packed tarball: an ES module consumer, type-checked under node16 and bundler.
import { createCallbackRouter, type CallbackEvent } from "trtc-room-callbacks";
import { createCallbackTester, sampleEvent } from "trtc-room-callbacks/testing";

const tester = createCallbackTester({
  sdkAppId: 1400000001,
  handlers: { "Room.CallbackAfterDestroyRoom": (event) => void event.RoomId.toUpperCase() },
});
const event: CallbackEvent<"Room.CallbackAfterDestroyRoom"> = sampleEvent("Room.CallbackAfterDestroyRoom");
export const result = await tester.send("Room.CallbackAfterDestroyRoom", event);
export const router = createCallbackRouter({ sdkAppId: 1400000001, handlers: {} });
// @ts-expect-error the sample of a misspelt command
sampleEvent("Room.CallbackAfterDestroyRum");
