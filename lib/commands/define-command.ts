import type Joi from "joi";
import { account, integer } from "./fields";

/** Fields every Room callback carries. */
export interface EventBase<Name extends string> {
  /**
   * The canonical command name. Always present for the handler, even when the
   * body left it out or used an older spelling (see `context.receivedCommand`).
   */
  CallbackCommand: Name;
  /** User ID of whoever caused the event; may be a system account such as `@TIM#SYSTEM`. */
  Operator_Account?: string;
  /** When the event happened, Unix time in **milliseconds**. */
  EventTime?: number;
}

/** The body fields a command's schema validates: everything but `CallbackCommand`, which the pipeline checks itself. */
export type PayloadOf<Event> = Omit<Event, "CallbackCommand">;

/** One command of the registry: its name, the spellings that route to it, its documentation and its schema. */
export interface CommandDefinition<Name extends string = string, Event = unknown> {
  /** The canonical `CallbackCommand`. */
  readonly name: Name;
  /** Other spellings Tencent has used for the same command. */
  readonly aliases: readonly string[];
  /** What happened, in a few words. */
  readonly summary: string;
  /** Tencent's documentation page: `https://trtc.io/document/<page>`. */
  readonly docPage: number;
  /** Validates and normalises the body. Never used as a type, only at run time. */
  readonly schema: Joi.ObjectSchema<PayloadOf<Event>>;
}

/** Joi schemas of the fields in {@link EventBase}. */
export function baseFields() {
  return { Operator_Account: account(), EventTime: integer() };
}

/**
 * Declares a command. The event type is inferred from the schema's type
 * argument, so a field in the interface without a schema key (or the
 * reverse) is a compile error at the `objectSchema<Payload>` call.
 */
export function defineCommand<const Name extends string, Event extends EventBase<Name>>(
  definition: CommandDefinition<Name, Event>,
): CommandDefinition<Name, Event> {
  return definition;
}
