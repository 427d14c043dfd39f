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

/**
 * Refuses option names outside `known`, naming the closest known one; a
 * BullMQ option given where ours are expected is pointed to `elsewhere`.
 */
export function checkOptionNames(
  where: string,
  options: object,
  known: readonly string[],
  elsewhere?: { readonly names: readonly string[]; readonly hint: string },
): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    if (elsewhere?.names.includes(name)) {
      throw new ConfigurationError(`${where}: ${name} is a BullMQ option: ${elsewhere.hint}`);
    }
    const hint = known.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    throw new ConfigurationError(
      `${where}: unknown option "${name}"${hint ? `: did you mean "${hint}"?` : ""} Known options: ${known.join(", ")}`,
    );
  }
}
