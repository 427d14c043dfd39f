// Serves `app` on an ephemeral port, sends one Room callback and prints the ack.
exports.answer = function answer(app, label) {
  const server = app.listen(0, "127.0.0.1", async () => {
    const { port } = server.address();
    const query = "SdkAppid=1400000001&CallbackCommand=Room.CallbackAfterMemberEnter&contenttype=json";
    const response = await fetch(`http://127.0.0.1:${port}/trtc?${query}`, {
      method: "POST",
      body: JSON.stringify({ CallbackCommand: "Room.CallbackAfterMemberEnter", RoomId: "r1" }),
    });
    console.log(`${label} ${response.status} ${await response.text()}`);
    server.close();
  });
};
