/**
 * How long and how hard each scenario runs. `BENCH_QUICK=1` shrinks everything to check that
 * the bench works end to end (a minute or two); the numbers it gives are not for the report.
 */
export interface Settings {
  quick: boolean;
  /** Scenario 1/6: alternating rounds of bare, guarded, jwt; seconds per run; connections. */
  guardRounds: number;
  guardSeconds: number;
  guardWarmupSeconds: number;
  connections: number;
  /** Distinct sessions (and JWTs) the guard load spreads over. */
  sessions: number;
  /**
   * Scenario 7: alternating rounds and seconds per run. Many short runs: a burst of another
   * process's work spoils one run's ratio, not the median.
   */
  sessionsRounds: number;
  sessionsSeconds: number;
  /** Scenario 7 again, every route in one run, switching every `slicedSliceMs`. */
  slicedRounds: number;
  slicedSeconds: number;
  slicedSliceMs: number;
  /** Scenario 2: rounds, and sign-ins per run at 1 and at `signInConnections` visitors. */
  signInRounds: number;
  signInsSerial: number;
  signInsConcurrent: number;
  signInConnections: number;
  /** Scenario 3: argon2 timing, and rounds of the responsiveness probe alone and under sign-ins. */
  argonSeconds: number;
  twoFactorRounds: number;
  twoFactorSeconds: number;
  twoFactorConnections: number;
  twoFactorMembers: number;
  probeIntervalMs: number;
  /** Scenario 4: table sizes, rounds and seconds per run, sign-ins per run. */
  growthSizes: number[];
  growthRounds: number;
  growthSeconds: number;
  growthSignIns: number;
  /** Scenario 5: requests per round. */
  memoryRequests: number;
  /**
   * Scenario 8: rounds; phone members given a passkey (each signs in once per run of
   * `signInConnections` visitors, a multiple of it), and how many of them sign in one at a time.
   */
  passkeyRounds: number;
  passkeyMembers: number;
  passkeySerial: number;
  /** Before each run, wait (at most this long, and this long in all) for a quiet machine. */
  quiet: { perGateMs: number; totalMs: number; threshold: number };
}

const FULL: Settings = {
  quick: false,
  guardRounds: 5,
  guardSeconds: 4,
  guardWarmupSeconds: 2,
  connections: 16,
  sessions: 1_000,
  sessionsRounds: 11,
  sessionsSeconds: 2,
  slicedRounds: 7,
  slicedSeconds: 10,
  slicedSliceMs: 100,
  signInRounds: 3,
  signInsSerial: 300,
  signInsConcurrent: 1_600,
  signInConnections: 16,
  argonSeconds: 3,
  twoFactorRounds: 3,
  twoFactorSeconds: 5,
  twoFactorConnections: 8,
  twoFactorMembers: 600,
  probeIntervalMs: 4,
  growthSizes: [1_000, 100_000, 1_000_000],
  growthRounds: 5,
  growthSeconds: 2,
  growthSignIns: 200,
  memoryRequests: 100_000,
  passkeyRounds: 5,
  passkeyMembers: 1_600,
  passkeySerial: 300,
  quiet: { perGateMs: 15_000, totalMs: 180_000, threshold: 0.2 },
};

const QUICK: Settings = {
  quick: true,
  guardRounds: 1,
  guardSeconds: 1,
  guardWarmupSeconds: 1,
  connections: 16,
  sessions: 1_000,
  sessionsRounds: 1,
  sessionsSeconds: 1,
  slicedRounds: 1,
  slicedSeconds: 2,
  slicedSliceMs: 100,
  signInRounds: 1,
  signInsSerial: 40,
  signInsConcurrent: 160,
  signInConnections: 16,
  argonSeconds: 1,
  twoFactorRounds: 1,
  twoFactorSeconds: 2,
  twoFactorConnections: 8,
  twoFactorMembers: 200,
  probeIntervalMs: 4,
  growthSizes: [1_000, 10_000],
  growthRounds: 1,
  growthSeconds: 1,
  growthSignIns: 40,
  memoryRequests: 10_000,
  passkeyRounds: 2,
  passkeyMembers: 160,
  passkeySerial: 40,
  quiet: { perGateMs: 2_000, totalMs: 10_000, threshold: 0.2 },
};

export function loadSettings(): Settings {
  return process.env.BENCH_QUICK === '1' ? QUICK : FULL;
}
