import type { SignInRun } from './flows.js';
import type { GrowthResult } from './scenario-growth.js';
import type { GuardResult } from './scenario-guard.js';
import type { MemoryResult } from './scenario-memory.js';
import type { PasskeyResult, PasskeyRun } from './scenario-passkey.js';
import {
  BREAKDOWN_ROUTES,
  type CrossInstanceRevocation,
  type SessionsResult,
} from './scenario-sessions.js';
import type { SignInResult } from './scenario-signin.js';
import type { TwoFactorResult } from './scenario-two-factor.js';
import { median } from './stats.js';

/** Everything one run measured. */
export interface BenchResults {
  mode: 'full' | 'quick';
  startedAt: string;
  minutes: number;
  machine: string;
  postgres?: string;
  /** SQLite's journal mode in this run. */
  sqliteJournal: 'wal' | 'rollback';
  quiet: { waitedS: number; gates: number; gaveUp: number };
  guard: GuardResult[];
  sessions: SessionsResult[];
  revocation?: CrossInstanceRevocation;
  signIn: SignInResult[];
  twoFactor?: TwoFactorResult;
  growth: GrowthResult[];
  memory?: MemoryResult;
  passkey: PasskeyResult[];
  errors: string[];
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const ms = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const pct = (n: number) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : '–');
const change = (from: number, to: number) =>
  Number.isFinite(from) && Number.isFinite(to)
    ? `${to >= from ? '+' : ''}${(((to - from) / from) * 100).toFixed(1)}%`
    : '–';
/** A ratio as a change: 0.9 → "-10.0%". */
const pctChange = (ratio: number) => change(1, ratio);
/** The columns of `signInRow()`. */
const SIGN_IN_HEAD = [
  'run',
  'sign-ins',
  'per s',
  'total p50 / p99',
  'twilio p50',
  'own p50 / p99',
  'own p50 send + login',
  'failures',
];
const SESSION_ROUTE_NAMES = [
  ['bare', 'bare'],
  ['noop', 'no-op'],
  ['guarded', 'SessionGuard'],
  ['betterauth', 'better-auth'],
  ['betterauth-cached', 'better-auth cached'],
] as const;
const verdict = (ok: boolean) => (ok ? 'holds' : '**does not hold**');

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

function signInRow(label: string, run: SignInRun): string[] {
  return [
    label,
    int(run.signIns),
    int(run.perSecond),
    `${ms(run.total.p50)} / ${ms(run.total.p99)}`,
    ms(run.twilio.p50),
    `${ms(run.own.p50)} / ${ms(run.own.p99)}`,
    `${ms(run.ownSend.p50)} + ${ms(run.ownLogin.p50)}`,
    int(run.failures),
  ];
}

/** The columns of scenario 8: `SIGN_IN_HEAD`, its two requests named for either flow. */
const PASSKEY_HEAD = SIGN_IN_HEAD.map((head) =>
  head === 'own p50 send + login' ? 'own p50 by request (send or options + login)' : head,
);

/** A passkey run in the columns of `signInRow()`: no Twilio time, so its own share is its total. */
function passkeyRow(label: string, run: PasskeyRun): string[] {
  return [
    label,
    int(run.signIns),
    int(run.perSecond),
    `${ms(run.total.p50)} / ${ms(run.total.p99)}`,
    '–',
    `${ms(run.total.p50)} / ${ms(run.total.p99)}`,
    `${ms(run.options.p50)} + ${ms(run.login.p50)}`,
    int(run.failures),
  ];
}

/** Target checks, from the results. */
export function targets(results: BenchResults): string[][] {
  const rows: string[][] = [];
  for (const g of results.guard) {
    rows.push([
      `1/6 guard ≥ 80% of bare (${g.adapter}, ${g.database})`,
      pct(g.guardedToBare),
      verdict(g.guardedToBare >= 0.8),
    ]);
  }
  const revocations = results.guard.map((g) => g.revocation);
  if (revocations.length > 0) {
    rows.push([
      '1 revoked session refused at once (every adapter and database)',
      revocations.map((r) => `${r.before}→${r.logout}→${r.after}`).join(', '),
      verdict(revocations.every((r) => r?.refusedAtOnce)),
    ]);
    const inUse = results.guard.map((g) => g.revocationInUse);
    const accepted = inUse.reduce((sum, r) => sum + r.stillAccepted, 0);
    const delay = inUse[0]?.deleteDelayMs ?? 0;
    rows.push([
      `1 revoked session refused at once while other requests use it${delay ? ` (session DELETEs delayed ${delay} ms)` : ''}`,
      `still accepted after logout in ${accepted} of ${inUse.reduce((sum, r) => sum + r.trials, 0)} trials`,
      verdict(accepted === 0),
    ]);
  }
  for (const s of results.sessions ?? []) {
    const where = `${s.adapter}, ${int(s.sessions)} sessions`;
    if (s.sliced) {
      const sl = s.sliced;
      rows.push([
        `7 time-sliced: guard ≥ 95% of a no-op guard, ≥ 90% of the bare route (${where})`,
        `${pct(sl.guardedToNoop)}, ${pct(sl.guardedToBare)}`,
        verdict(sl.guardedToNoop >= 0.95 && sl.guardedToBare >= 0.9),
      ]);
      rows.push([
        `7 time-sliced: guard ≥ 5× better-auth's session check, cookie cache off and on (${s.adapter})`,
        `${sl.guardedToBetterAuth.toFixed(1)}×, ${sl.guardedToBetterAuthCached.toFixed(1)}×`,
        verdict(sl.guardedToBetterAuth >= 5 && sl.guardedToBetterAuthCached >= 5),
      ]);
    }
    if (s.breakdown?.toNoop.floor !== undefined) {
      const { toNoop, toNoopRatios } = s.breakdown;
      // Of every run, as every other ratio: guard ÷ floor within one run, then the median.
      const toFloor = median(toNoopRatios.guarded.map((g, i) => g / toNoopRatios.floor[i]));
      rows.push([
        `7 time-sliced breakdown: the floor of any session check ÷ the no-op guard; SessionGuard ≥ 95% of the floor (${where})`,
        `${pct(toNoop.floor)}; ${pct(toFloor)}`,
        verdict(toFloor >= 0.95),
      ]);
    }
    rows.push([
      `7 guard ≥ 95% of a no-op guard (${where})`,
      pct(s.guardedToNoop),
      verdict(s.guardedToNoop >= 0.95),
    ]);
    rows.push([
      `7 guard ≥ 90% of the bare route (${where})`,
      pct(s.guardedToBare),
      verdict(s.guardedToBare >= 0.9),
    ]);
    rows.push([
      `7 guard ≥ 5× better-auth's session check, cookie cache off and on (${s.adapter})`,
      `${s.guardedToBetterAuth.toFixed(1)}×, ${s.guardedToBetterAuthCached.toFixed(1)}×`,
      verdict(s.guardedToBetterAuth >= 5 && s.guardedToBetterAuthCached >= 5),
    ]);
    rows.push([
      `7 by the app's CPU per request: guard ≥ 95% of no-op, ≥ 90% of bare, ≥ 5× better-auth off / on (${s.adapter})`,
      `${pct(s.cpuGuardedToNoop)}, ${pct(s.cpuGuardedToBare)}, ${s.cpuGuardedToBetterAuth.toFixed(1)}×, ${s.cpuGuardedToBetterAuthCached.toFixed(1)}×`,
      verdict(
        s.cpuGuardedToNoop >= 0.95 &&
          s.cpuGuardedToBare >= 0.9 &&
          s.cpuGuardedToBetterAuth >= 5 &&
          s.cpuGuardedToBetterAuthCached >= 5,
      ),
    ]);
    rows.push([
      `7 called directly: SessionGuard vs the no-op guard, ns per call; estimated guard ÷ no-op per request (${s.adapter})`,
      `${int(s.direct.guardNs)} vs ${int(s.direct.noopNs)} ns; ${pct(s.directGuardedToNoop)}`,
      verdict(s.directGuardedToNoop >= 0.95),
    ]);
    const first = s.memory[0];
    const last = s.memory[s.memory.length - 1];
    if (first && last && first !== last) {
      rows.push([
        `7 no memory growth over rounds (${s.adapter}; heap used, RSS, round 1 → ${s.memory.length})`,
        `${change(first.heapUsed, last.heapUsed)}, ${change(first.rss, last.rss)}`,
        verdict(last.heapUsed - first.heapUsed < Math.max(2, first.heapUsed * 0.05)),
      ]);
    }
  }
  if (results.revocation) {
    const r = results.revocation;
    rows.push([
      `7 revocation seen by a second instance under load, p99 < 100 ms (${r.trials} trials)`,
      `p50 ${ms(r.p50, 1)} ms, p99 ${ms(r.p99, 1)} ms`,
      verdict(r.p99 < 100),
    ]);
    rows.push([
      '7 requests accepted by the second instance after it first refused a revoked session',
      int(r.acceptedAfter),
      verdict(r.acceptedAfter === 0),
    ]);
  }
  for (const s of results.signIn) {
    for (const [label, run] of [
      ['first', s.serialNew],
      ['returning', s.serialReturning],
    ] as const) {
      rows.push([
        `2 own share of a sign-in < 2 ms at p50 (${s.database}, ${label} sign-in)`,
        `${ms(run.own.p50)} ms`,
        verdict(run.own.p50 < 2),
      ]);
    }
  }
  if (results.twoFactor) {
    const t = results.twoFactor;
    rows.push([
      '3 guarded p99 < 50 ms during two-factor sign-ins',
      `${ms(t.probeLoaded.p99, 1)} ms`,
      verdict(t.probeLoaded.p99 < 50),
    ]);
  }
  for (const g of results.growth) {
    const first = g.points[0];
    const last = g.points[g.points.length - 1];
    if (!first || !last || first === last) continue;
    // Within 15% of the smallest size, compared round by round (the rounds alternate sizes).
    const flat = (ratio: number) => Math.abs(ratio - 1) <= 0.15;
    const { vsSmallest: v } = last;
    rows.push([
      `4 guard flat within 15%, ${int(first.size)} → ${int(last.size)} rows (${g.database}; cached, uncached req/s)`,
      `${pctChange(v.guarded)}, ${pctChange(v.uncached)}`,
      verdict(flat(v.guarded) && flat(v.uncached)),
    ]);
    rows.push([
      `4 sign-in flat within 15% (${g.database}; p50)`,
      pctChange(v.signInP50),
      verdict(flat(v.signInP50)),
    ]);
  }
  for (const p of results.passkey ?? []) {
    rows.push([
      `8 a passkey sign-in makes no Twilio call (${p.database}; calls per sign-in, phone beside it)`,
      `${ms(p.twilioPerSignIn.passkey)} (phone ${ms(p.twilioPerSignIn.phone)})`,
      verdict(p.twilioPerSignIn.passkey === 0 && p.serialPasskey.signIns > 0),
    ]);
    rows.push([
      `8 own share of a passkey sign-in < 2 ms at p50 (${p.database}, 1 visitor; options + login)`,
      `${ms(p.serialPasskey.total.p50)} ms`,
      verdict(p.serialPasskey.total.p50 < 2),
    ]);
  }
  if (results.memory) {
    const [one, two] = results.memory.rounds.slice(-2);
    rows.push([
      '5 no growth between the last two rounds (heap used; RSS)',
      `${change(one.heapUsed, two.heapUsed)}; ${change(one.rss, two.rss)}`,
      verdict(two.heapUsed - one.heapUsed < Math.max(2, one.heapUsed * 0.05)),
    ]);
  }
  return rows;
}

/** The results as Markdown, for BENCHMARKS.md. */
export function markdown(results: BenchResults): string {
  const out: string[] = [];
  out.push(
    `Run: ${results.startedAt}, ${results.mode} mode, ${results.minutes.toFixed(1)} minutes.`,
  );
  out.push(
    `Machine: ${results.machine}${results.postgres ? `; PostgreSQL ${results.postgres}` : ''}. ` +
      `SQLite in ${results.sqliteJournal === 'wal' ? 'WAL' : 'rollback-journal'} mode.`,
  );
  out.push(
    `Waited ${results.quiet.waitedS.toFixed(0)} s in all for a quiet machine before ${results.quiet.gates} runs ` +
      `(gave up waiting ${results.quiet.gaveUp} times).`,
  );
  if (results.errors.length > 0)
    out.push(`\nErrors:\n${results.errors.map((e) => `- ${e}`).join('\n')}`);

  out.push('\n### Targets\n');
  out.push(table(['target', 'measured', 'verdict'], targets(results)));

  if (results.guard.length > 0) {
    out.push('\n### 1 and 6: guard overhead (req/s, medians of alternating runs)\n');
    out.push(
      table(
        [
          'adapter',
          'database',
          'bare',
          'no-op guard',
          'SessionGuard',
          'passport-jwt',
          'no-op ÷ bare',
          'guarded ÷ bare',
          'jwt ÷ bare',
          'p50 / p99 ms (bare, guarded, jwt)',
          'app CPU',
          'other CPU',
          'revocation',
        ],
        results.guard.map((g) => [
          g.adapter,
          g.database,
          int(g.routes.bare.rps),
          int(g.routes.noop.rps),
          int(g.routes.guarded.rps),
          int(g.routes.jwt.rps),
          pct(g.noopToBare),
          pct(g.guardedToBare),
          pct(g.jwtToBare),
          `${g.routes.bare.p50}/${g.routes.bare.p99}, ${g.routes.guarded.p50}/${g.routes.guarded.p99}, ${g.routes.jwt.p50}/${g.routes.jwt.p99}`,
          ms(g.routes.guarded.appCpu),
          ms(g.routes.guarded.otherCpu),
          g.revocation
            ? `${g.revocation.before}→${g.revocation.logout}→${g.revocation.after} in ${ms(g.revocation.ms, 1)} ms`
            : '–',
        ]),
      ),
    );
    out.push('\nEvery round (guarded ÷ bare): ');
    out.push(
      results.guard
        .map((g) => `${g.adapter}/${g.database} ${g.guardedRatios.map(pct).join(' ')}`)
        .join('; '),
    );
  }

  if (results.signIn.length > 0) {
    out.push('\n### 2: passwordless sign-in (send + login), ms\n');
    for (const s of results.signIn) {
      out.push(
        `\n${s.database} (one GET of the open route: p50 ${ms(s.bareRequest.p50)} ms, p99 ${ms(s.bareRequest.p99)} ms)\n`,
      );
      out.push(
        table(SIGN_IN_HEAD, [
          signInRow('1 visitor, first sign-in', s.serialNew),
          signInRow('1 visitor, returning', s.serialReturning),
          signInRow(`${s.connections} visitors, first sign-in`, s.concurrentNew),
          signInRow(`${s.connections} visitors, returning`, s.concurrentReturning),
        ]),
      );
    }
  }

  if (results.twoFactor) {
    const t = results.twoFactor;
    out.push('\n### 3: two-factor sign-in\n');
    out.push(
      `${t.params}: ${ms(t.hashesPerSecondOneCore, 0)} hashes/s and ${ms(t.verifiesPerSecondOneCore, 0)} ` +
        `verifications/s on one core; ${ms(t.verifiesPerSecondAllCores, 0)} verifications/s on ${t.cores} ` +
        `cores (${ms(t.verifiesPerSecondAllCores / t.cores, 0)} per core).\n`,
    );
    out.push(table(SIGN_IN_HEAD, [signInRow(`${t.connections} visitors`, t.signIns)]));
    out.push(`\nGuarded route, paced at ${int(t.probeRate)} req/s (ms):\n`);
    out.push(
      table(
        ['', 'p50', 'p99', 'max', 'event-loop delay p99 / max'],
        [
          [
            'alone',
            ms(t.probeAlone.p50),
            ms(t.probeAlone.p99),
            ms(t.probeAlone.max),
            `${ms(t.loopAlone.p99, 1)} / ${ms(t.loopAlone.max, 1)}`,
          ],
          [
            'during sign-ins',
            ms(t.probeLoaded.p50),
            ms(t.probeLoaded.p99),
            ms(t.probeLoaded.max),
            `${ms(t.loopLoaded.p99, 1)} / ${ms(t.loopLoaded.max, 1)}`,
          ],
        ],
      ),
    );
  }

  for (const p of results.passkey ?? []) {
    out.push(
      `\n### 8: passkey sign-in beside phone sign-in (${p.database}; ms, medians of ${p.rounds} ` +
        'alternating rounds)\n',
    );
    out.push(
      `${int(p.members)} phone members, each with one passkey added over the routes in ` +
        `${ms(p.setupS, 1)} s; the same members sign in both ways. Passkey: options + login, ` +
        'timed without the authenticator signing; phone: send + login against the emulator.\n',
    );
    out.push(
      table(PASSKEY_HEAD, [
        signInRow('1 visitor, phone', p.serialPhone),
        passkeyRow('1 visitor, passkey', p.serialPasskey),
        signInRow(`${p.connections} visitors, phone`, p.concurrentPhone),
        passkeyRow(`${p.connections} visitors, passkey`, p.concurrentPasskey),
      ]),
    );
    out.push(
      `\nTwilio calls per sign-in, from the emulator's requests over every measured run: phone ` +
        `${ms(p.twilioPerSignIn.phone)}, passkey ${ms(p.twilioPerSignIn.passkey)}.`,
    );
  }

  for (const g of results.growth) {
    out.push(`\n### 4: growth (${g.database}; one database per size, rounds alternate sizes)\n`);
    out.push(
      table(
        [
          'rows (members / sessions)',
          'added in',
          'bare req/s',
          'guarded req/s (÷ bare)',
          'uncached req/s (÷ bare)',
          'guarded p99',
          'uncached p99',
          'sign-in p50 / p99',
          'own p50',
          'vs smallest, same round: guarded, uncached, sign-in p50',
        ],
        g.points.map((p) => [
          `${int(p.members)} / ${int(p.sessions)}`,
          `${ms(p.seedS, 1)} s`,
          int(p.bare.rps),
          `${int(p.guarded.rps)} (${pct(p.guardedToBare)})`,
          `${int(p.uncached.rps)} (${pct(p.uncachedToBare)})`,
          `${p.guarded.p99} ms`,
          `${p.uncached.p99} ms`,
          `${ms(p.signIn.total.p50)} / ${ms(p.signIn.total.p99)}`,
          ms(p.signIn.own.p50),
          `${pctChange(p.vsSmallest.guarded)}, ${pctChange(p.vsSmallest.uncached)}, ${pctChange(p.vsSmallest.signInP50)}`,
        ]),
      ),
    );
  }

  if ((results.sessions ?? []).length > 0) {
    out.push(
      '\n### 7: the guard with 10,000 sessions and a live revocation channel, beside better-auth ' +
        '(req/s, medians of alternating runs)\n',
    );
    out.push(
      table(
        [
          'adapter',
          'database (channel)',
          'bare',
          'no-op guard',
          'SessionGuard',
          'better-auth',
          'better-auth, cookie cache',
          'guard ÷ no-op',
          'guard ÷ bare',
          'p50 / p99 ms (bare, guard, better-auth)',
        ],
        results.sessions.map((s) => [
          s.adapter,
          `${s.database} (${s.channel})`,
          int(s.routes.bare.rps),
          int(s.routes.noop.rps),
          int(s.routes.guarded.rps),
          int(s.routes.betterauth.rps),
          int(s.routes['betterauth-cached'].rps),
          pct(s.guardedToNoop),
          pct(s.guardedToBare),
          `${s.routes.bare.p50}/${s.routes.bare.p99}, ${s.routes.guarded.p50}/${s.routes.guarded.p99}, ` +
            `${s.routes.betterauth.p50}/${s.routes.betterauth.p99}`,
        ]),
      ),
    );
    out.push(
      "\nThe app's CPU time per request, µs (medians): " +
        results.sessions
          .map(
            (s) =>
              `${s.adapter}: ${SESSION_ROUTE_NAMES.map(([r, name]) => `${name} ${ms(s.cpuUs[r], 0)}`).join(', ')}`,
          )
          .join(' · '),
    );
    out.push(
      '\nCalled directly (no HTTP), ns per call (medians): ' +
        results.sessions
          .map(
            (s) =>
              `${s.adapter}: SessionGuard ${int(s.direct.guardNs)}, no-op ${int(s.direct.noopNs)}, ` +
              `better-auth ${int(s.direct.betterAuthNs)}, better-auth cached ${int(s.direct.betterAuthCachedNs)}`,
          )
          .join(' · '),
    );
    out.push('\nEvery round (guard ÷ no-op; guard ÷ bare): ');
    out.push(
      results.sessions
        .map(
          (s) =>
            `${s.adapter} ${s.guardedToNoopRatios.map(pct).join(' ')}; ${s.guardedToBareRatios.map(pct).join(' ')}`,
        )
        .join(' · '),
    );
    const sliced = results.sessions.filter((s) => s.sliced);
    if (sliced.length > 0) {
      const sl0 = sliced[0].sliced;
      out.push(
        `\nTime-sliced (every route in each run, switching every ${sl0.sliceMs} ms; ` +
          `${sl0.rounds} runs of ${sl0.seconds} s; req/s medians, then guard ÷ no-op and ` +
          'guard ÷ bare of every run):',
      );
      out.push(
        sliced
          .map(
            (s) =>
              `${s.adapter}: ${SESSION_ROUTE_NAMES.map(([r, name]) => `${name} ${int(s.sliced.rps[r])}`).join(', ')}; ` +
              `${s.sliced.guardedToNoopRatios.map(pct).join(' ')}; ${s.sliced.guardedToBareRatios.map(pct).join(' ')}; ` +
              `unexpected ${s.sliced.unexpected}`,
          )
          .join(' · '),
      );
    }
    const broken = results.sessions.filter((s) => s.breakdown);
    if (broken.length > 0) {
      out.push(
        '\nFrom the no-op guard to SessionGuard, one step at a time (time-sliced runs of their own; ' +
          'req/s medians, ÷ no-op guard medians and of every run): no-op guard; ' +
          'no-op reading the bearer header; also synchronous, setting `user` and `otpSessionId`; ' +
          'the floor (the member found by the raw token in a prebuilt `Map`, nothing else); ' +
          'SessionGuard with `@Req()`; SessionGuard with `@CurrentMember()`:',
      );
      out.push(
        broken
          .map(
            (s) =>
              `${s.adapter}: ` +
              BREAKDOWN_ROUTES.map(
                (r) =>
                  `${r} ${int(s.breakdown.rps[r])} (${pct(s.breakdown.toNoop[r])}: ` +
                  `${s.breakdown.toNoopRatios[r].map(pct).join(' ')})`,
              ).join(', ') +
              `; unexpected ${s.breakdown.unexpected}`,
          )
          .join(' · '),
      );
    }
    out.push('\nHeap used after each round (MiB): ');
    out.push(
      results.sessions
        .map((s) => `${s.adapter} ${s.memory.map((m) => ms(m.heapUsed, 1)).join(' ')}`)
        .join(' · '),
    );
    out.push(
      `\nUnexpected responses: ${results.sessions.map((s) => `${s.adapter} ${s.unexpected}`).join(', ')}.`,
    );
  }
  if (results.revocation) {
    const r = results.revocation;
    out.push('\n### 7: a revocation seen by a second instance under load (PostgreSQL)\n');
    out.push(
      `${r.trials} sessions logged out through A while B serves ${int(r.loadRps)} req/s over ` +
        `10,000 sessions: B refused each after p50 ${ms(r.p50, 1)} ms, p99 ${ms(r.p99, 1)} ms, ` +
        `max ${ms(r.max, 1)} ms (from sending the logout); requests accepted after the first ` +
        `refusal: ${r.acceptedAfter}; unexpected answers of the load: ${r.loadUnexpected}. ` +
        `Of that time, the logout's own round trip on A: p50 ${ms(r.logoutP50, 1)} ms, p99 ` +
        `${ms(r.logoutP99, 1)} ms; from A's answer to B's refusal: p50 ${ms(r.afterAnswerP50, 1)} ms, ` +
        `p99 ${ms(r.afterAnswerP99, 1)} ms; B's event-loop delay meanwhile: p99 ${ms(r.bLoopDelayP99, 1)} ms.`,
    );
  }
  if (results.memory) {
    const m = results.memory;
    out.push(
      `\n### 5: memory (MiB, after a full GC; ${int(m.requestsPerRound)} requests per round)\n`,
    );
    out.push(
      table(
        ['', 'RSS', 'heap used', 'external'],
        [
          ['idle', ms(m.idle.rss, 1), ms(m.idle.heapUsed, 1), ms(m.idle.external, 1)],
          ...m.rounds.map((r, i) => [
            `after round ${i + 1}`,
            ms(r.rss, 1),
            ms(r.heapUsed, 1),
            ms(r.external, 1),
          ]),
        ],
      ),
    );
    out.push(`\nUnexpected responses: ${m.unexpected}.`);
  }
  return out.join('\n') + '\n';
}
