// Exercises the testing kit as loaded by the caller and prints one line the test compares.
// A CallbackError from the main entry must keep its code when thrown under the kit's tester:
// both entries share one copy of the package's modules.
exports.report = async function report(label, main, testing) {
  const { CallbackError, ErrorCodes } = main;
  const { callbackQuery, createCallbackTester, sampleEvent, sign } = testing;
  const tester = createCallbackTester({
    sdkAppId: 1400000001,
    token: "t0k3n",
    handlers: {
      "Room.CallbackAfterMemberEnter": () => undefined,
      "Room.CallbackAfterMemberLeave": () => {
        throw new CallbackError("leave failed", { code: 4321 });
      },
    },
  });
  const entered = await tester.send(
    "Room.CallbackAfterMemberEnter",
    sampleEvent("Room.CallbackAfterMemberEnter"),
  );
  const left = await tester.send("Room.CallbackAfterMemberLeave");
  const unsigned = await tester.send("Room.CallbackAfterDestroyRoom", undefined, { token: null });
  const query = callbackQuery({ sdkAppId: 1, command: "x", token: "xxxxyyyy", requestTime: 1669872112 });
  console.log(
    [
      label,
      entered.ack.ActionStatus,
      left.ack.ErrorCode,
      unsigned.ack.ErrorCode === ErrorCodes.MissingSignature,
      sampleEvent("Mic.CallbackAfterSeatInfoChanged").SeatList[0].Member_Account,
      query.Sign === sign("xxxxyyyy", 1669872112) && query.Sign.slice(0, 8),
    ].join(" "),
  );
};
