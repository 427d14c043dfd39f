import type { CallbackCommand, CallbackEvent } from "trtc-room-callbacks";
import type { RoomState } from "trtc-room-callbacks/room-state";
import type { InstanceStats } from "./instance-stats";

/** One handler per command, each applying its event to the room state. */
export type RoomHandlers = { [C in CallbackCommand]: (event: CallbackEvent<C>) => Promise<void> };

/**
 * The room state's handlers, counting and logging what became of each event
 * (`Room.CallbackAfterMemberEnter demo: applied`). The router mounts them in memory mode; the
 * worker runs them in Redis mode.
 */
export function roomHandlers(
  rooms: RoomState,
  stats: InstanceStats,
  log: (line: string) => void,
): RoomHandlers {
  const apply = async (event: CallbackEvent): Promise<void> => {
    const result = await rooms.apply(event);
    stats.events[result]++;
    log(`${event.CallbackCommand} ${roomOf(event)}: ${result}`);
  };
  return {
    "Room.CallbackAfterCreateRoom": apply,
    "Room.CallbackAfterUpdateRoomInfo": apply,
    "Room.CallbackAfterDestroyRoom": apply,
    "Room.CallbackAfterMemberEnter": apply,
    "Room.CallbackAfterMemberLeave": apply,
    "Mic.CallbackAfterSeatInfoChanged": apply,
  };
}

function roomOf(event: CallbackEvent): string {
  return "RoomInfo" in event ? event.RoomInfo.RoomId : event.RoomId;
}
