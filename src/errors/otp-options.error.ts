/** Thrown at start-up when an option is missing or malformed; the message names the option. */
export class OtpOptionsError extends Error {
  constructor(option: string, problem: string) {
    super(`OtpModule: option "${option}" ${problem}`);
    this.name = 'OtpOptionsError';
  }
}

/**
 * How an options resolver reports a bad option: the error to throw, naming the option
 * (`session.cookie.path`) and what is wrong with it. The module passes one that makes an
 * `OtpOptionsError`.
 */
export type OptionFailure = (option: string, problem: string) => Error;

/** A whole number of at least 1 (or 0 with `allowZero`), `fallback` when `value` is unset. */
export function positiveInt(
  value: unknown,
  option: string,
  fallback: number,
  fail: OptionFailure,
  allowZero = false,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw fail(option, `must be a ${allowZero ? 'non-negative' : 'positive'} integer`);
  }
  return value;
}

/**
 * The defaults of an options interface, for `satisfies`: the fields named are all given, lists
 * read-only (`as const`).
 */
export type OptionDefaults<T> = {
  readonly [K in keyof T]-?: Exclude<T[K], undefined> extends infer V
    ? V extends readonly (infer E)[]
      ? readonly E[]
      : V
    : never;
};
