import {
  type OptionDefaults,
  type OptionFailure,
  positiveInt,
} from '../errors/otp-options.error.js';
import { MemoryRateLimitStorage } from './memory-rate-limit.storage.js';
import type { RateLimitStorage } from './rate-limit-storage.interface.js';

/** A limit: at most `limit` attempts per `windowSeconds` (a sliding window). */
export interface RateRule {
  limit: number;
  windowSeconds: number;
}

/**
 * Abuse limits. Each rule can be changed, or turned off with `false`. Counters live in
 * `storage`: in memory by default (one instance), `RedisRateLimitStorage` for several. An attempt
 * is counted in all the windows that apply or, when one is full, in none.
 */
export interface RateLimitOptions {
  /** Where counters live. Default: in memory (one instance); `RedisRateLimitStorage` shares them. */
  storage?: RateLimitStorage;
  /** Seconds between two sends to one phone (SMS and call alike). Default `30`. */
  sendCooldownSeconds?: number | false;
  /** Sends per phone. Default 5 per 10 minutes (Twilio's own). */
  sendsPerPhone?: RateRule | false;
  /** Sends per client IP (an IPv6 client by its /64). Default 20 per hour. */
  sendsPerIp?: RateRule | false;
  /**
   * Sends per number range: numbers that differ only in their last four digits. Stops sweeps of
   * a range. Default 10 per hour.
   */
  sendsPerRange?: RateRule | false;
  /** Sends per country calling code. Default 1,000 per hour. */
  sendsPerCountry?: RateRule | false;
  /**
   * Sends for one email, known or not, counted apart for each flow: sign-up, two-factor sign-in
   * and password reset each have a budget of their own, so that nobody spends a member's
   * sign-in budget with sign-ups or resets for their email (and a reset answers alike for a
   * member and a stranger). Default 5 per 10 minutes.
   */
  sendsPerEmail?: RateRule | false;
  /**
   * Wrong codes per phone, counted only against a code this module sent that is still open (a
   * check with no code pending costs the phone nothing). Default 30 per 10 minutes: above the 25
   * that Twilio's 5 checks per code and `sendsPerPhone` allow, so that someone without the phone
   * cannot fill it, and any wait it imposes is at most 10 minutes.
   */
  checksPerPhone?: RateRule | false;
  /** Code checks per client IP, of any outcome. Default 100 per 15 minutes. */
  checksPerIp?: RateRule | false;
  /** Failed password-reset checks per email, known or not. Default 30 per 10 minutes. */
  resetChecksPerEmail?: RateRule | false;
  /** Password checks per client IP, of any outcome. Default 100 per 15 minutes. */
  passwordAttemptsPerIp?: RateRule | false;
  /**
   * Wrong passwords for one email from one client IP; the right password clears it. Default 10
   * per 15 minutes.
   */
  passwordFailuresPerClient?: RateRule | false;
  /**
   * Wrong passwords for one email from all clients: a short, bounded delay against distributed
   * guessing, never a long lock. Default 30 per minute.
   */
  passwordFailuresPerEmail?: RateRule | false;
}

/** The options of `OtpModule` about abuse limits. */
export interface RateLimitModuleOptions {
  /** Abuse limits; `false` turns them all off (tests only). */
  rateLimit?: RateLimitOptions | false;
}

/** Defaults of `rateLimit`: every rule on (the storage is a new in-memory one per module). */
export const RATE_LIMIT_DEFAULTS = {
  sendCooldownSeconds: 30,
  sendsPerPhone: { limit: 5, windowSeconds: 600 },
  sendsPerIp: { limit: 20, windowSeconds: 3600 },
  sendsPerRange: { limit: 10, windowSeconds: 3600 },
  sendsPerCountry: { limit: 1000, windowSeconds: 3600 },
  sendsPerEmail: { limit: 5, windowSeconds: 600 },
  checksPerPhone: { limit: 30, windowSeconds: 600 },
  checksPerIp: { limit: 100, windowSeconds: 900 },
  resetChecksPerEmail: { limit: 30, windowSeconds: 600 },
  passwordAttemptsPerIp: { limit: 100, windowSeconds: 900 },
  passwordFailuresPerClient: { limit: 10, windowSeconds: 900 },
  passwordFailuresPerEmail: { limit: 30, windowSeconds: 60 },
} as const satisfies OptionDefaults<Omit<RateLimitOptions, 'storage'>>;

/** The rules given as `{ limit, windowSeconds }` (all but the cooldown). */
type RuleOption = Exclude<keyof typeof RATE_LIMIT_DEFAULTS, 'sendCooldownSeconds'>;

/** The rate rules given as `{ limit, windowSeconds }` (all but the cooldown), from the defaults. */
export const RATE_RULES = Object.keys(RATE_LIMIT_DEFAULTS).filter(
  (name): name is RuleOption => name !== 'sendCooldownSeconds',
);

/** A limit in milliseconds. */
export interface ResolvedRateRule {
  limit: number;
  windowMs: number;
}

/** Names of the resolved rate rules: the cooldown and every rule of the defaults. */
export type RuleName = 'sendCooldown' | RuleOption;

/** The rate-limit options as resolved. */
export interface ResolvedRateLimitOptions {
  rateLimit: {
    storage: RateLimitStorage;
    /** The rules that are on. */
    rules: Partial<Record<RuleName, ResolvedRateRule>>;
  };
}

function resolveRule(
  value: RateRule | false | undefined,
  option: string,
  fallback: RateRule,
  fail: OptionFailure,
): ResolvedRateRule | undefined {
  if (value === false) return undefined;
  const rule = value === undefined ? fallback : value;
  if (typeof rule !== 'object' || rule === null) {
    throw fail(option, 'must be { limit, windowSeconds } or false');
  }
  return {
    limit: positiveInt(rule.limit ?? Number.NaN, `${option}.limit`, 0, fail),
    windowMs:
      positiveInt(rule.windowSeconds ?? Number.NaN, `${option}.windowSeconds`, 0, fail) * 1000,
  };
}

/** Checks `rateLimit` and fills in its defaults; a bad option throws `fail(...)`. */
export function resolveRateLimitOptions(
  given: RateLimitModuleOptions,
  fail: OptionFailure,
): ResolvedRateLimitOptions {
  const options = given.rateLimit;
  const storage = (options && options.storage) || new MemoryRateLimitStorage();
  if (
    typeof storage.hit !== 'function' ||
    typeof storage.undo !== 'function' ||
    typeof storage.clear !== 'function'
  ) {
    throw fail('rateLimit.storage', 'must implement hit(), undo() and clear()');
  }
  if (options && 'passwordAttemptsPerEmail' in options) {
    throw fail(
      'rateLimit.passwordAttemptsPerEmail',
      'is replaced by "passwordFailuresPerClient" (per client and email) and "passwordFailuresPerEmail" (per email, a short window)',
    );
  }
  if (options === false) return { rateLimit: { storage, rules: {} } };
  const rateLimit = options ?? {};
  const known = new Set<string>([...RATE_RULES, 'storage', 'sendCooldownSeconds']);
  const unknown = Object.keys(rateLimit).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw fail(
      `rateLimit.${unknown[0]}`,
      `is not a rate rule; the rules are ${[...RATE_RULES, 'sendCooldownSeconds'].join(', ')}`,
    );
  }
  const rules: ResolvedRateLimitOptions['rateLimit']['rules'] = {};
  const cooldown = rateLimit.sendCooldownSeconds ?? RATE_LIMIT_DEFAULTS.sendCooldownSeconds;
  if (cooldown !== false && cooldown !== 0) {
    rules.sendCooldown = resolveRule(
      { limit: 1, windowSeconds: positiveInt(cooldown, 'rateLimit.sendCooldownSeconds', 0, fail) },
      'rateLimit.sendCooldownSeconds',
      { limit: 1, windowSeconds: 1 },
      fail,
    );
  }
  for (const name of RATE_RULES) {
    rules[name] = resolveRule(
      rateLimit[name],
      `rateLimit.${name}`,
      RATE_LIMIT_DEFAULTS[name],
      fail,
    );
  }
  return { rateLimit: { storage, rules } };
}
