import type autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import type { BenchAppProcess } from './app-process.js';
import type { BenchEnv } from './env.js';
import type { BenchPhone } from './phones.js';
import { cannon } from './load.js';
import { percentile } from './stats.js';

/** Latency percentiles in milliseconds. */
export interface Percentiles {
  p50: number;
  p99: number;
}

/** One completed sign-in: a code sent, then the code checked and a session issued. */
interface Sample {
  phone: string;
  sendMs: number;
  loginMs: number;
  /** When the sign-in started and ended (runner clock). */
  start: number;
  end: number;
  newMember: boolean;
  /** Measured from the connection's first request, which also opened the connection. */
  first: boolean;
}

/** What a run of sign-ins measured. */
export interface SignInRun {
  signIns: number;
  failures: number;
  newMembers: number;
  perSecond: number;
  /** Whole sign-in (send + login), as the client sees it. */
  total: Percentiles;
  send: Percentiles;
  login: Percentiles;
  /** Time in the twilio SDK's calls to the emulator, per sign-in. */
  twilio: Percentiles;
  /** The module's own share: total minus the twilio calls, per sign-in. */
  own: Percentiles;
  ownSend: Percentiles;
  ownLogin: Percentiles;
}

/** One kind of sign-in: the two requests a visitor makes. */
export interface Flow<T> {
  phoneOf(item: T): string;
  send: { path: string; body(item: T): unknown };
  login: { path: string; body(item: T, code: string | undefined): unknown };
  /** Whether the login answer is a sign-in (and whether it created the member). */
  signedIn(body: unknown): { ok: boolean; newMember: boolean };
}

interface Context {
  item?: number;
  t0?: number;
  t1?: number;
  t2?: number;
  failed?: boolean;
  first?: boolean;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The passwordless flow of the module's routes, for the numbers of the bench. */
export const PASSWORDLESS: Flow<BenchPhone> = {
  phoneOf: (phone) => phone.e164,
  send: {
    path: '/auth/otp/send',
    body: (phone) => ({ channel: 'sms', countryCode: 'US', phoneNumber: phone.national }),
  },
  login: {
    path: '/auth/otp/login',
    body: (phone, code) => ({
      confirmationCode: code ?? '000000',
      countryCode: 'US',
      phoneNumber: phone.national,
    }),
  },
  signedIn: (body) => {
    const answer = body as { sessionToken?: unknown; isNewMember?: unknown };
    return { ok: typeof answer.sessionToken === 'string', newMember: answer.isNewMember === true };
  },
};

/** A member of the two-factor flow. */
export interface TwoFactorMember {
  email: string;
  phone: string;
}

/** The two-factor sign-in of the module's routes (email + password, then the code). */
export function twoFactorFlow(password: string): Flow<TwoFactorMember> {
  return {
    phoneOf: (member) => member.phone,
    send: {
      path: '/auth/2fa/login/send',
      body: (member) => ({ email: member.email, password, channel: 'sms' }),
    },
    login: {
      path: '/auth/2fa/login',
      body: (member, code) => ({
        email: member.email,
        password,
        confirmationCode: code ?? '000000',
      }),
    },
    signedIn: (body) => ({
      ok: typeof (body as { sessionToken?: unknown }).sessionToken === 'string',
      newMember: false,
    }),
  };
}

/**
 * Runs sign-ins through the app with autocannon: each connection is a visitor who asks for a
 * code, reads it from the emulator, and signs in with it, then starts over with the next item.
 * With `durationS`, items are reused round-robin until the time is up; otherwise each item signs
 * in exactly once (the item count must be a multiple of `connections`).
 */
export async function runSignIns<T>(
  env: BenchEnv,
  app: BenchAppProcess,
  flow: Flow<T>,
  items: readonly T[],
  connections: number,
  options: { durationS?: number; waitForQuiet?: boolean } = {},
): Promise<SignInRun> {
  const { durationS, waitForQuiet = true } = options;
  const { world } = env;
  world.reset();
  await app.command('twilioTimings', {});
  if (waitForQuiet) await env.quiet();
  const samples: Sample[] = [];
  const uses = new Map<string, number>();
  let failures = 0;
  let next = 0;
  let constructing = true;

  const fail = (context: Context) => {
    if (!context.failed) failures += 1;
    context.failed = true;
  };
  const requests: autocannon.Request[] = [
    {
      method: 'POST',
      path: flow.send.path,
      setupRequest: (request, raw) => {
        const context = raw as Context;
        const index = next++ % items.length;
        context.item = index;
        context.first = constructing;
        context.failed = false;
        const phone = flow.phoneOf(items[index]);
        uses.set(phone, (uses.get(phone) ?? 0) + 1);
        context.t0 = performance.now();
        return {
          ...request,
          headers: JSON_HEADERS,
          body: JSON.stringify(flow.send.body(items[index])),
        };
      },
      onResponse: (status, _body, raw) => {
        const context = raw as Context;
        context.t1 = performance.now();
        if (status !== 200) fail(context);
      },
    },
    {
      method: 'POST',
      path: flow.login.path,
      setupRequest: (request, raw) => {
        const context = raw as Context;
        const item = items[context.item!];
        context.t2 = performance.now();
        const code = world.codes.get(flow.phoneOf(item));
        return {
          ...request,
          headers: JSON_HEADERS,
          body: JSON.stringify(flow.login.body(item, code)),
        };
      },
      onResponse: (status, body, raw) => {
        const context = raw as Context;
        const end = performance.now();
        if (context.failed) return;
        const answer = status === 200 ? flow.signedIn(JSON.parse(body) as unknown) : undefined;
        if (!answer?.ok) {
          fail(context);
          return;
        }
        samples.push({
          phone: flow.phoneOf(items[context.item!]),
          sendMs: context.t1! - context.t0!,
          loginMs: end - context.t2!,
          start: context.t0!,
          end,
          newMember: answer.newMember,
          first: context.first === true,
        });
      },
    },
  ];
  if (durationS === undefined && items.length % connections !== 0) {
    throw new Error('items must be a multiple of connections');
  }
  const run = cannon({
    url: app.url,
    connections,
    requests,
    ...(durationS === undefined
      ? { amount: items.length * 2, maxMs: 10 * 60_000 }
      : { duration: durationS }),
  });
  constructing = false;
  const result = await run;
  failures += result.errors;

  const twilio = new Map(
    (await app.command('twilioTimings', {})).map(([phone, start, check]) => [
      phone,
      { start, check },
    ]),
  );
  // Per-request shares need each number's twilio calls to belong to one sign-in.
  const paired = samples.filter((s) => !s.first && uses.get(s.phone) === 1 && twilio.has(s.phone));
  const timed = samples.filter((s) => !s.first);
  const own = paired.map((s) => {
    const t = twilio.get(s.phone)!;
    return { send: s.sendMs - t.start, login: s.loginMs - t.check, twilio: t.start + t.check };
  });
  const span =
    samples.length > 0
      ? (Math.max(...samples.map((s) => s.end)) - Math.min(...samples.map((s) => s.start))) / 1000
      : NaN;
  const pct = (values: number[]): Percentiles => ({
    p50: percentile(values, 50),
    p99: percentile(values, 99),
  });
  return {
    signIns: samples.length,
    failures,
    newMembers: samples.filter((s) => s.newMember).length,
    perSecond: samples.length / span,
    total: pct(timed.map((s) => s.sendMs + s.loginMs)),
    send: pct(timed.map((s) => s.sendMs)),
    login: pct(timed.map((s) => s.loginMs)),
    twilio: pct(own.map((o) => o.twilio)),
    own: pct(own.map((o) => o.send + o.login)),
    ownSend: pct(own.map((o) => o.send)),
    ownLogin: pct(own.map((o) => o.login)),
  };
}
