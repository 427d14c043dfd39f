/**
 * Throws a TypeError naming an option `factory` does not know (a typo such as `stores` would
 * otherwise fall back to a default silently), and listing the ones it does.
 */
export function checkOptions(factory: string, options: unknown, known: readonly string[]): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `${factory} takes an options object, not ${options === null ? "null" : typeof options}`,
    );
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new TypeError(
        `${factory} has no option ${JSON.stringify(name)}: its options are ${known.map((option) => `"${option}"`).join(", ")}`,
      );
    }
  }
}
