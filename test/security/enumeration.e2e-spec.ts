import { TypeOrmModule } from '@nestjs/typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OtpEvent } from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { bearer, registerTwoFactor } from '../support/flows.js';
import { createTestApp, type TestApp, US_E164, US_PHONE } from '../support/test-app.js';

const PASSWORD = 'correct horse battery staple';
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const BOB_PHONE = '(201) 555-0188';
const BOB_E164 = '+12015550188';

/** What a refusal tells a program: its status and its code. */
type Answer = [status: number, code: unknown];

const answerOf = (res: { status: number; body: { code?: unknown } }): Answer => [
  res.status,
  res.body.code,
];

/** Waits until `predicate` holds (a background send), at most `timeoutMs`. */
async function waitFor(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Signs a two-factor member in with email, password and the code sent; the session token. */
async function signIn(t: TestApp, email: string, e164: string): Promise<string> {
  t.emulator.advanceTime(11 * 60_000);
  await t.http
    .post('/auth/2fa/login/send')
    .send({ email, password: PASSWORD, channel: 'sms' })
    .expect(200);
  const res = await t.http
    .post('/auth/2fa/login')
    .send({ email, password: PASSWORD, confirmationCode: t.emulator.lastCode(e164) })
    .expect(200);
  return res.body.sessionToken as string;
}

describe('Changing email does not tell whether another address is registered', () => {
  let t: TestApp;
  let emailEvents: number;

  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(async () => {
    await t.reset();
    await registerTwoFactor(t, ALICE, PASSWORD, US_PHONE, US_E164);
    t.emulator.advanceTime(11 * 60_000);
    await registerTwoFactor(t, BOB, PASSWORD, BOB_PHONE, BOB_E164);
    emailEvents = 0;
    t.on(OtpEvent.EMAIL_CHANGED, () => (emailEvents += 1));
  });
  afterAll(() => t?.close());

  /** Sends the email-change code to the member of `token`; the code. */
  async function sendCode(token: string): Promise<string> {
    t.emulator.advanceTime(61_000);
    await t.http
      .post('/auth/account/email/send')
      .set(bearer(token))
      .send({ channel: 'sms' })
      .expect(200);
    return t.emulator.lastCode(US_E164)!;
  }

  const change = (token: string, newEmail: string, confirmationCode: string) =>
    t.http
      .post('/auth/account/email')
      .set(bearer(token))
      .send({ newEmail, currentPassword: PASSWORD, confirmationCode });

  /** Everything a change of email could write: the members' emails and Alice's sessions. */
  async function state(): Promise<unknown> {
    return {
      members: await t.dataSource.query('SELECT email, phone_number FROM otp_members ORDER BY 1'),
      sessions: await t.dataSource.query(
        'SELECT id, member_id, token_hash FROM otp_member_sessions ORDER BY id',
      ),
    };
  }

  it('answers 60 wrong-code probes of a registered email as those of a free one, and meets 429', async () => {
    const token = await signIn(t, ALICE, US_E164);
    const probe = async (newEmail: string): Promise<Answer[]> => {
      await sendCode(token);
      const answers: Answer[] = [];
      for (let i = 0; i < 60; i++) answers.push(answerOf(await change(token, newEmail, '000000')));
      // Every window (clients, phone, password) and the code behind: the next probe starts anew.
      t.emulator.advanceTime(16 * 60_000);
      return answers;
    };
    const before = await state();

    const taken = await probe(BOB);
    const free = await probe('nobody@example.net');

    expect(taken).not.toContainEqual([409, 'ALREADY_REGISTERED']);
    expect(taken).toEqual(free);
    expect(taken).toContainEqual([429, 'TOO_MANY_REQUESTS']);
    expect(new Set(taken.map(([status, code]) => `${status} ${code}`))).toEqual(
      new Set(['401 INVALID_CODE', '429 TOO_MANY_REQUESTS']),
    );
    expect(await state()).toEqual(before);
    expect(emailEvents).toBe(0);
    // 120 password checks (argon2id) in all: seconds on a loaded 2-core machine.
  }, 60_000);

  it('answers 409 only to the right code, which it spends, writing nothing', async () => {
    const token = await signIn(t, ALICE, US_E164);
    const other = await signIn(t, ALICE, US_E164);
    const before = await state();

    const code = await sendCode(token);
    const taken = await change(token, 'BOB@example.com', code).expect(409);
    expect(taken.body).toMatchObject({ code: 'ALREADY_REGISTERED', results: false });
    // The code is spent: each 409 costs a code sent to the member's own phone.
    const again = await change(token, 'alice@example.net', code).expect(401);
    expect(again.body.code).toBe('CODE_EXPIRED');

    expect(await state()).toEqual(before);
    expect(emailEvents).toBe(0);
    await t.http.get('/auth/me').set(bearer(other)).expect(200);
    const me = await t.http.get('/auth/me').set(bearer(token)).expect(200);
    expect(me.body.email).toBe(ALICE);
    // A fresh code still changes the email to a free one.
    const fresh = await sendCode(token);
    const changed = await change(token, 'alice@example.net', fresh).expect(200);
    expect(changed.body.email).toBe('alice@example.net');
  });
});

describe('A password reset takes as long for an unknown email as for a known one from start-up', () => {
  const CHECK_MS = 150;
  let emulator: TwilioVerifyEmulator;
  let dir: string;
  let t: TestApp | undefined;

  beforeAll(async () => {
    emulator = await new TwilioVerifyEmulator().start();
    dir = mkdtempSync(join(tmpdir(), 'nestjs-otp-reset-timing-'));
  });
  afterAll(async () => {
    await t?.close();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const appOnFile = (synchronize: boolean) =>
    createTestApp({
      emulator,
      database: TypeOrmModule.forRoot({
        type: 'better-sqlite3',
        database: join(dir, 'members.sqlite'),
        autoLoadEntities: true,
        synchronize,
      }),
    });

  it('waits about as long as a check at Twilio takes before any check was timed', async () => {
    // Alice signs up on an instance that then stops: the next instance has timed no check.
    const first = await appOnFile(true);
    await registerTwoFactor(first, ALICE, PASSWORD, US_PHONE, US_E164);
    await first.close();
    t = await appOnFile(false);
    const app = t;

    emulator.advanceTime(11 * 60_000);
    const sent = emulator.deliveries(US_E164).length;
    await app.http
      .post('/auth/2fa/password/send')
      .send({ email: ALICE, channel: 'sms' })
      .expect(200);
    await waitFor(() => emulator.deliveries(US_E164).length === sent + 1);
    // Twilio's checks take their time; the emulator's would take a few milliseconds.
    emulator.injectFault({ kind: 'delay', ms: CHECK_MS }, { endpoint: 'VerificationCheck' });

    const time = async (email: string): Promise<number> => {
      const started = performance.now();
      const res = await app.http
        .post('/auth/2fa/password/reset')
        .send({ email, confirmationCode: '000000', newPassword: 'a new long password' });
      const elapsed = performance.now() - started;
      expect(answerOf(res)).toEqual([401, 'INVALID_CODE']);
      return elapsed;
    };
    // The unknown email first: these are the answers an instance gives before its first check.
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) unknown.push(await time('nobody@example.com'));
    const known: number[] = [];
    for (let i = 0; i < 5; i++) known.push(await time(ALICE));

    expect(median(known)).toBeGreaterThanOrEqual(CHECK_MS);
    expect(median(unknown)).toBeGreaterThan(0.6 * median(known));
    expect(median(unknown)).toBeLessThan(3 * median(known));
  });
});

describe('A password reset send does not tell a member’s email from an unknown one', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(async () => {
    await t.reset();
    await registerTwoFactor(t, ALICE, PASSWORD, US_PHONE, US_E164);
  });
  afterAll(() => t?.close());

  const resetSend = (email: string) =>
    t.http.post('/auth/2fa/password/send').send({ email, channel: 'sms' });

  it('gives a member who just signed in the same reset budget as an unknown email, and keeps their sign-in', async () => {
    // Alice's own sign-in code, as an attacker cannot see.
    t.emulator.advanceTime(31_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: ALICE, password: PASSWORD, channel: 'sms' })
      .expect(200);

    const member: Answer[] = [];
    const unknown: Answer[] = [];
    for (let i = 0; i < 6; i++) {
      member.push(answerOf(await resetSend(ALICE)));
      unknown.push(answerOf(await resetSend('nobody@example.com')));
    }
    expect(member).toEqual(unknown);
    expect(member.slice(0, 5)).toEqual(Array(5).fill([200, undefined]));
    expect(member[5]).toEqual([429, 'TOO_MANY_REQUESTS']);

    // Resets asked by someone else do not use up the member's own sign-in sends.
    t.emulator.advanceTime(31_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: ALICE, password: PASSWORD, channel: 'sms' })
      .expect(200);
  });
});
