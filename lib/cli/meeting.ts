import type { CallbackCommand, CallbackEvent } from "../commands/registry";
import type { SeatInfo } from "../commands/seat-info-changed";
import { sampleEvent } from "../testing/sample-event";

/** One callback of a simulated meeting. */
export interface Step {
  command: CallbackCommand;
  /** What happens, for people. */
  summary: string;
  event: CallbackEvent;
}

/**
 * The second member's user ID: the user of Tencent's seat sample, an 18-digit
 * number that `JSON.parse` rounds, so a receiver that loses its digits shows.
 */
export const LONG_ID_MEMBER = "144115233775727695";

/** The shape of a simulated meeting. */
export interface MeetingPlan {
  roomId: string;
  /**
   * Members who enter, at least 2: `member-1` (the owner), {@link LONG_ID_MEMBER},
   * then `member-3` to `member-N`.
   */
  members: number;
  /** Seats in the room, at least 1. */
  seats: number;
  /** Leave the room standing (no destroy at the end), so its state can be looked at. */
  keepRoom?: boolean;
}

/**
 * The callbacks of a whole meeting, in order: the owner creates the room,
 * every member enters, the first members take seats, the last seated member
 * leaves the seat, which the owner then locks, the owner kicks the last
 * member, renames the room and destroys it (unless `keepRoom`). `EventTime` comes from `clock`
 * when the event is built, so it is later for every step.
 */
export function planMeeting(plan: MeetingPlan, clock: () => number): (() => Step)[] {
  const { roomId } = plan;
  const members = Array.from({ length: plan.members }, (_, i) =>
    i === 1 ? LONG_ID_MEMBER : `member-${i + 1}`,
  );
  const owner = members[0] as string;
  const kicked = members[members.length - 1] as string;
  const seated = members.slice(0, Math.min(plan.seats, plan.members));
  const seats: SeatInfo[] = Array.from({ length: plan.seats }, (_, Index) => ({
    Index,
    Member_Account: "",
    IsTakenDisabled: false,
    IsVideoDisabled: false,
    IsAudioDisabled: false,
  }));
  const seatList = () => seats.map((seat) => ({ ...seat }));
  const lastSeat = seats[seated.length - 1] as SeatInfo;
  const count = { inRoom: 0 };

  const step =
    <C extends CallbackCommand>(command: C, summary: string, fields: () => Partial<CallbackEvent<C>>) =>
    (): Step => ({
      command,
      summary,
      // Shallow on purpose: every field that matters is set here.
      event: {
        ...(sampleEvent(command) as object),
        ...fields(),
        EventTime: clock(),
      } as unknown as CallbackEvent,
    });
  const seatChange = (summary: string, change: () => void) =>
    step("Mic.CallbackAfterSeatInfoChanged", summary, () => {
      change();
      return { Operator_Account: owner, RoomId: roomId, SeatList: seatList() };
    });

  return [
    step("Room.CallbackAfterCreateRoom", `${owner} creates room ${roomId}`, () => {
      const now = Math.floor(clock() / 1000);
      return {
        Operator_Account: owner,
        RoomInfo: {
          ...sampleEvent("Room.CallbackAfterCreateRoom").RoomInfo,
          RoomId: roomId,
          RoomName: "Simulated meeting",
          Owner_Account: owner,
          MaxMemberCount: Math.max(300, plan.members),
          MaxSeatCount: plan.seats,
          IsSeatEnabled: true,
          TakeSeatMode: "FreeToTake",
          RoomStatus: "Running",
          ScheduleStartTime: now,
          ScheduleEndTime: now + 3600,
          CreateTime: now,
        },
        ScheduleInviteeList_Account: members.slice(1),
      };
    }),
    ...members.map((member) =>
      step("Room.CallbackAfterMemberEnter", `${member} enters`, () => ({
        Operator_Account: member,
        RoomId: roomId,
        Type: "Enter",
        MemberCount: ++count.inRoom,
        MemberList_Account: [member],
      })),
    ),
    ...seated.map((member, index) =>
      seatChange(`${member} takes seat ${index}`, () => {
        (seats[index] as SeatInfo).Member_Account = member;
      }),
    ),
    seatChange(`${seated[seated.length - 1]} leaves seat ${lastSeat.Index}`, () => {
      lastSeat.Member_Account = "";
    }),
    seatChange(`${owner} locks seat ${lastSeat.Index}`, () => {
      lastSeat.IsTakenDisabled = true;
    }),
    step("Room.CallbackAfterMemberLeave", `${owner} kicks ${kicked} out`, () => ({
      Operator_Account: owner,
      RoomId: roomId,
      Type: "Kicked",
      MemberCount: --count.inRoom,
      MemberList_Account: [kicked],
      Reason: "kicked out by the owner",
    })),
    step("Room.CallbackAfterUpdateRoomInfo", `${owner} renames the room and mutes the chat`, () => ({
      Operator_Account: owner,
      RoomInfo: { RoomId: roomId, RoomName: "Simulated meeting (chat muted)", IsMessageDisabled: true },
    })),
    ...(plan.keepRoom
      ? []
      : [
          step("Room.CallbackAfterDestroyRoom", `${owner} destroys room ${roomId}`, () => ({
            Operator_Account: owner,
            RoomId: roomId,
          })),
        ]),
  ];
}
