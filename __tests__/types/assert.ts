/**
 * Compile-time assertions for the type tests. These files are checked by
 * `tsc --noEmit -p .` and never run: Jest only picks up `*.test.ts`.
 */

/** `true` when `A` and `B` are the same type (not merely assignable either way). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when `Condition` is `true`: `expectType<Equal<A, B>>()`. */
export function expectType<Condition extends true>(): Condition | void {}

/**
 * `expectExact(value).toBe<T>()` compiles only when the type of `value` is
 * exactly `T`; otherwise `toBe` demands an argument that says so.
 */
export function expectExact<Actual>(actual: Actual) {
  return {
    toBe<Expected>(...mismatch: Equal<Actual, Expected> extends true ? [] : ["types differ"]): Actual {
      void mismatch;
      return actual;
    },
  };
}

// The helper itself: mutual assignability is not enough to pass.
expectType<Equal<Equal<string, "a">, false>>();
expectType<Equal<Equal<{ a?: string }, { a?: string | undefined }>, true>>();
expectType<Equal<Equal<unknown, any>, false>>(); // eslint-disable-line @typescript-eslint/no-explicit-any
expectType<Equal<Equal<string | undefined, string>, false>>();
