import type autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { SoftwareAuthenticator } from 'nestjs-otp/testing';
import type { BenchAppProcess } from './app-process.js';
import type { BenchEnv } from './env.js';
import { PASSWORDLESS, type Percentiles, runSignIns, type SignInRun } from './flows.js';
import { call, cannon } from './load.js';
import type { BenchPhone } from './phones.js';
import type { DatabaseKind } from './protocol.js';
import { medianRun } from './scenario-signin.js';
import { median, percentile } from './stats.js';

/** A phone member of the bench who added a passkey, and the authenticator that holds it. */
interface PasskeyMember {
  phone: BenchPhone;
  authenticator: SoftwareAuthenticator;
}

/** What a run of passkey sign-ins measured (the two requests: options, then login). */
export interface PasskeyRun {
  signIns: number;
  failures: number;
  perSecond: number;
  /** Options + login, as the client sees them; no Twilio call, so all of it is the module's. */
  total: Percentiles;
  options: Percentiles;
  login: Percentiles;
  /** Requests the Twilio Verify emulator received during the run. */
  twilioCalls: number;
}

/** Scenario 8 on one database: passkey sign-ins beside phone sign-ins of the same members. */
export interface PasskeyResult {
  database: DatabaseKind;
  /** Members with a passkey, each signed in once per concurrent run. */
  members: number;
  rounds: number;
  connections: number;
  /** Adding the members' passkeys over HTTP (phone sign-in, options, registration), seconds. */
  setupS: number;
  /** One visitor at a time: latency without queueing. */
  serialPhone: SignInRun;
  serialPasskey: PasskeyRun;
  /** `connections` visitors at once: throughput. */
  concurrentPhone: SignInRun;
  concurrentPasskey: PasskeyRun;
  /** Twilio calls per completed sign-in over every measured run, from the emulator's requests. */
  twilioPerSignIn: { phone: number; passkey: number };
}

interface Context {
  item?: number;
  options?: PublicKeyCredentialRequestOptionsJSON;
  t0?: number;
  t1?: number;
  t2?: number;
  failed?: boolean;
  first?: boolean;
}

interface Sample {
  optionsMs: number;
  loginMs: number;
  start: number;
  end: number;
  first: boolean;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The origin the authenticators write into their client data: the app's, as the module expects. */
function originOf(app: BenchAppProcess): string {
  return `http://localhost:${new URL(app.url).port}`;
}

/**
 * Gives each number a member with a passkey, over the module's routes as a host's page would:
 * a phone sign-in (the code read from the emulator), then registration options and the
 * registration of a passkey of its own software authenticator. `parallel` members at a time.
 */
async function enrol(
  env: BenchEnv,
  app: BenchAppProcess,
  phones: BenchPhone[],
  parallel: number,
): Promise<PasskeyMember[]> {
  const origin = originOf(app);
  const expect = (what: string, status: number, answer: { status: number; body: unknown }) => {
    if (answer.status !== status) {
      throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body as Record<string, unknown>;
  };
  const one = async (phone: BenchPhone): Promise<PasskeyMember> => {
    expect(
      'otp/send',
      200,
      await call(app.url, 'POST', '/auth/otp/send', { body: PASSWORDLESS.send.body(phone) }),
    );
    const code = env.world.codes.get(phone.e164);
    const login = expect(
      'otp/login',
      200,
      await call(app.url, 'POST', '/auth/otp/login', {
        body: PASSWORDLESS.login.body(phone, code),
      }),
    );
    const token = login.sessionToken as string;
    const options = expect(
      'account/passkeys/options',
      200,
      await call(app.url, 'POST', '/auth/account/passkeys/options', { token, body: {} }),
    ) as unknown as PublicKeyCredentialCreationOptionsJSON;
    const authenticator = new SoftwareAuthenticator({ origin });
    const response = authenticator.register(options);
    expect(
      'account/passkeys',
      201,
      await call(app.url, 'POST', '/auth/account/passkeys', { token, body: { response } }),
    );
    return { phone, authenticator };
  };
  const members: PasskeyMember[] = new Array(phones.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let index = next++; index < phones.length; index = next++) {
        members[index] = await one(phones[index]);
      }
    }),
  );
  return members;
}

/**
 * Runs passkey sign-ins with autocannon: each connection is a visitor who asks for sign-in
 * options, has their authenticator sign the challenge, and signs in with the assertion, then
 * starts over with the next member. Each member signs in once (the count must be a multiple of
 * `connections`). The login request is timed from after the authenticator signed: that work is
 * the visitor's device's, not the server's.
 */
export async function runPasskeySignIns(
  env: BenchEnv,
  app: BenchAppProcess,
  members: readonly PasskeyMember[],
  connections: number,
): Promise<PasskeyRun> {
  if (members.length % connections !== 0) {
    throw new Error('members must be a multiple of connections');
  }
  env.world.reset();
  await env.quiet();
  const samples: Sample[] = [];
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
      path: '/auth/passkey/options',
      setupRequest: (request, raw) => {
        const context = raw as Context;
        context.item = next++ % members.length;
        context.first = constructing;
        context.failed = false;
        context.options = undefined;
        context.t0 = performance.now();
        return { ...request, headers: JSON_HEADERS, body: '{}' };
      },
      onResponse: (status, body, raw) => {
        const context = raw as Context;
        context.t1 = performance.now();
        if (status === 200)
          context.options = JSON.parse(body) as PublicKeyCredentialRequestOptionsJSON;
        else fail(context);
      },
    },
    {
      method: 'POST',
      path: '/auth/passkey/login',
      setupRequest: (request, raw) => {
        const context = raw as Context;
        let body = '{}';
        if (context.options && !context.failed) {
          try {
            const response = members[context.item!].authenticator.authenticate(context.options);
            body = JSON.stringify({ response });
          } catch {
            fail(context);
          }
        }
        context.t2 = performance.now();
        return { ...request, headers: JSON_HEADERS, body };
      },
      onResponse: (status, body, raw) => {
        const context = raw as Context;
        const end = performance.now();
        if (context.failed) return;
        const answer = status === 200 ? (JSON.parse(body) as { sessionToken?: unknown }) : {};
        if (typeof answer.sessionToken !== 'string') {
          fail(context);
          return;
        }
        samples.push({
          optionsMs: context.t1! - context.t0!,
          loginMs: end - context.t2!,
          start: context.t0!,
          end,
          first: context.first === true,
        });
      },
    },
  ];
  const run = cannon({
    url: app.url,
    connections,
    requests,
    amount: members.length * 2,
    maxMs: 10 * 60_000,
  });
  constructing = false;
  const result = await run;
  failures += result.errors;
  const timed = samples.filter((s) => !s.first);
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
    perSecond: samples.length / span,
    total: pct(timed.map((s) => s.optionsMs + s.loginMs)),
    options: pct(timed.map((s) => s.optionsMs)),
    login: pct(timed.map((s) => s.loginMs)),
    twilioCalls: env.world.emulator.requests().length,
  };
}

/** Field-wise medians of several passkey runs. */
function medianPasskeyRun(runs: PasskeyRun[]): PasskeyRun {
  const pct = (pick: (run: PasskeyRun) => Percentiles): Percentiles => ({
    p50: median(runs.map((r) => pick(r).p50)),
    p99: median(runs.map((r) => pick(r).p99)),
  });
  return {
    signIns: runs.reduce((sum, r) => sum + r.signIns, 0),
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
    perSecond: median(runs.map((r) => r.perSecond)),
    total: pct((r) => r.total),
    options: pct((r) => r.options),
    login: pct((r) => r.login),
    twilioCalls: runs.reduce((sum, r) => sum + r.twilioCalls, 0),
  };
}

/**
 * Scenario 8: a passkey sign-in (options + login, no code, no Twilio call) beside a phone
 * sign-in (send + login against the emulator) of the same members, who are phone members with
 * one passkey each. Rounds alternate which variant goes first; one visitor, then many.
 */
export async function passkeySignIn(env: BenchEnv, kind: DatabaseKind): Promise<PasskeyResult> {
  const { settings } = env;
  const c = settings.signInConnections;
  const app = await env.startApp('express', await env.newDatabase(kind));
  try {
    const started = performance.now();
    const members = await enrol(env, app, env.signInPhones.take(settings.passkeyMembers), 8);
    const setupS = (performance.now() - started) / 1000;
    env.world.reset();
    const phones = members.map((m) => m.phone);
    const serial = members.slice(0, settings.passkeySerial);
    // Warm-up: the first sign-ins of each kind compile their code paths.
    const warm = members.slice(0, 4 * c);
    await runSignIns(
      env,
      app,
      PASSWORDLESS,
      warm.map((m) => m.phone),
      c,
    );
    await runPasskeySignIns(env, app, warm, c);

    const phoneRuns = { serial: [] as SignInRun[], concurrent: [] as SignInRun[] };
    const passkeyRuns = { serial: [] as PasskeyRun[], concurrent: [] as PasskeyRun[] };
    const twilio = { phone: 0, phoneSignIns: 0, passkey: 0, passkeySignIns: 0 };
    const phoneRun = async (items: BenchPhone[], connections: number) => {
      const run = await runSignIns(env, app, PASSWORDLESS, items, connections);
      // runSignIns resets the emulator first: what it holds now is this run's.
      twilio.phone += env.world.emulator.requests().length;
      twilio.phoneSignIns += run.signIns;
      return run;
    };
    const passkeyRun = async (items: PasskeyMember[], connections: number) => {
      const run = await runPasskeySignIns(env, app, items, connections);
      twilio.passkey += run.twilioCalls;
      twilio.passkeySignIns += run.signIns;
      return run;
    };
    for (let round = 0; round < settings.passkeyRounds; round += 1) {
      const phoneFirst = round % 2 === 0;
      for (const [connections, items, key] of [
        [1, serial, 'serial'],
        [c, members, 'concurrent'],
      ] as const) {
        const variants = [
          async () =>
            phoneRuns[key].push(
              await phoneRun(
                items.map((m) => m.phone),
                connections,
              ),
            ),
          async () => passkeyRuns[key].push(await passkeyRun(items, connections)),
        ];
        for (const variant of phoneFirst ? variants : variants.reverse()) await variant();
      }
      env.log(
        `  passkey/${kind} round ${round + 1}: 1 visitor p50 passkey ` +
          `${passkeyRuns.serial[round].total.p50.toFixed(2)} ms, phone ` +
          `${phoneRuns.serial[round].total.p50.toFixed(2)} ms (own ${phoneRuns.serial[round].own.p50.toFixed(2)}); ` +
          `${c} visitors passkey ${Math.round(passkeyRuns.concurrent[round].perSecond)}/s, ` +
          `phone ${Math.round(phoneRuns.concurrent[round].perSecond)}/s`,
      );
    }
    return {
      database: kind,
      members: phones.length,
      rounds: settings.passkeyRounds,
      connections: c,
      setupS,
      serialPhone: medianRun(phoneRuns.serial),
      serialPasskey: medianPasskeyRun(passkeyRuns.serial),
      concurrentPhone: medianRun(phoneRuns.concurrent),
      concurrentPasskey: medianPasskeyRun(passkeyRuns.concurrent),
      twilioPerSignIn: {
        phone: twilio.phone / twilio.phoneSignIns,
        passkey: twilio.passkey / twilio.passkeySignIns,
      },
    };
  } finally {
    await env.stopApp(app);
  }
}
