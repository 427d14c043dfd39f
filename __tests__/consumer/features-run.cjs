// Exercises the feature entries as a user would, without a network or a Redis: prints one line
// `<entry> <what it did>` each. `load(name)` is `require` or a dynamic `import`.
const http = require("node:http");

const QUERY =
  "SdkAppid=1400000001&CallbackCommand=Room.CallbackAfterCreateRoom&contenttype=json&ClientIP=1.2.3.4&OptPlatform=Web";
const CREATE = {
  CallbackCommand: "Room.CallbackAfterCreateRoom",
  Operator_Account: "owner-1",
  RoomInfo: { RoomId: "room-1", RoomName: "Standup", Owner_Account: "owner-1", MaxSeatCount: 2 },
  EventTime: 1700000000000,
};

async function withPeers(load) {
  const lines = [];
  const { createCallbackListener, ConfigurationError } = await load("trtc-room-callbacks");
  const { createRoomState, memoryRoomStore } = await load("trtc-room-callbacks/room-state");
  const { registerMetrics } = await load("trtc-room-callbacks/prometheus");
  const { enqueueCallbacks, createCallbackWorker } = await load("trtc-room-callbacks/bullmq");
  const { Registry } = await load("prom-client");

  // Room state fed by a real listener, counted by the metrics on the user's own registry.
  const registry = new Registry();
  const unregister = registerMetrics(registry);
  const rooms = createRoomState({ store: memoryRoomStore() });
  const server = http.createServer(
    createCallbackListener({ sdkAppId: 1400000001, handlers: rooms.handlers }),
  );
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const response = await fetch(`http://127.0.0.1:${server.address().port}/trtc?${QUERY}`, {
    method: "POST",
    body: JSON.stringify(CREATE),
  });
  await response.text();
  server.close();
  const room = await rooms.get("room-1");
  lines.push(`room-state ${response.status} ${room && room.settings.RoomName}`);
  const text = await registry.metrics();
  const counted =
    /trtc_room_callbacks_requests_total\{[^}]*command="Room.CallbackAfterCreateRoom"[^}]*\} 1/.test(text);
  unregister();
  lines.push(`prometheus ${counted}`);

  // A queue whose connection could hang add() is refused before any request.
  let refused = "not refused";
  try {
    enqueueCallbacks({
      add() {},
      opts: { connection: { host: "127.0.0.1" } },
      on() {},
      listenerCount: () => 0,
    });
  } catch (error) {
    refused = error instanceof ConfigurationError ? "ConfigurationError" : String(error);
  }
  lines.push(`bullmq ${typeof createCallbackWorker} ${refused}`);
  return lines.join(" | ");
}

async function withoutPeers(load) {
  const { genUserSig, createRoomConfigClient, TencentApiError } = await load("trtc-room-callbacks/rest");
  const { createRoomState } = await load("trtc-room-callbacks/room-state");
  const sig = genUserSig({ sdkAppId: 1400000001, secretKey: "k".repeat(64), identifier: "administrator" });
  const client = createRoomConfigClient({
    sdkAppId: 1400000001,
    secretKey: "k".repeat(64),
    region: "singapore",
  });
  const rooms = createRoomState();
  await rooms.apply(CREATE);
  return `rest ${sig.length > 100} ${client.host} ${typeof TencentApiError} | room-state ${(await rooms.list()).length}`;
}

module.exports = { withPeers, withoutPeers };
