import { ConfigurationError } from "../index";

/** An integer option within `[min, max]`, or `fallback` when absent; `where` names the function for the message. */
export function checkInteger(
  where: string,
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(
      `${where}: ${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
  return value;
}
