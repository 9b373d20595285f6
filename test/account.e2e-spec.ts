import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { OtpEvent, type OtpEventPayload } from 'nestjs-otp';
import { bearer, registerTwoFactor, signInByPhone } from './support/flows.js';
import { createTestApp, type TestApp, US_E164, US_PHONE } from './support/test-app.js';

@Injectable()
class TestAdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest().headers['x-admin'] === 'yes';
  }
}

const PASSWORD = 'correct horse battery staple';
const NEW_PHONE = '(201) 555-0177';
const NEW_E164 = '+12015550177';
const BOB_PHONE = '(201) 555-0188';
const BOB_E164 = '+12015550188';
const RECOVERY_CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$/;

describe('Account life', () => {
  let t: TestApp;
  let events: OtpEventPayload[];

  beforeAll(async () => {
    t = await createTestApp({ extras: { admin: { guard: TestAdminGuard } } });
  });
  beforeEach(async () => {
    await t.reset();
    events = [];
    for (const name of Object.values(OtpEvent)) t.on(name, (payload) => events.push(payload));
  });
  afterAll(() => t?.close());

  /** Signs a two-factor member in with email, password and code; the session token. */
  async function twoFactorSignIn(email: string, e164: string, password = PASSWORD) {
    t.emulator.advanceTime(11 * 60_000);
    await t.http.post('/auth/2fa/login/send').send({ email, password, channel: 'sms' }).expect(200);
    const res = await t.http
      .post('/auth/2fa/login')
      .send({ email, password, confirmationCode: t.emulator.lastCode(e164) })
      .expect(200);
    return res.body.sessionToken as string;
  }

  /** Sends a code to a new phone for the member of `token`. */
  function sendNewPhoneCode(token: string, phoneNumber = NEW_PHONE) {
    t.emulator.advanceTime(61_000);
    return t.http
      .post('/auth/account/phone/send')
      .set(bearer(token))
      .send({ countryCode: 'US', phoneNumber, channel: 'sms' });
  }

  /** Moves a session's sign-in back by `ms`, as if it had been made that long ago. */
  async function ageSession(token: string, ms: number) {
    const { sessionId } = await t.http
      .get('/auth/sessions')
      .set(bearer(token))
      .then((res) => ({ sessionId: res.body.find((s: { current: boolean }) => s.current).id }));
    await t.dataSource.query(
      `UPDATE otp_member_sessions SET created_at = created_at - ${ms}, verified_at = NULL WHERE id = '${sessionId}'`,
    );
  }

  describe('changing phone', () => {
    it('moves a passwordless member to the new number with the code sent to it, with the placeholder email, and revokes the other sessions', async () => {
      const first = await signInByPhone(t);
      const other = await signInByPhone(t);

      const sent = await sendNewPhoneCode(first.sessionToken).expect(200);
      expect(sent.body).toEqual({
        results: true,
        channel: 'sms',
        resendAfterSeconds: 30,
        expiresInSeconds: 600,
      });
      expect(t.emulator.lastCode(NEW_E164)).toMatch(/^\d{6}$/);
      const res = await t.http
        .post('/auth/account/phone')
        .set(bearer(first.sessionToken))
        .send({
          countryCode: 'US',
          phoneNumber: NEW_PHONE,
          confirmationCode: t.emulator.lastCode(NEW_E164),
        })
        .expect(200);

      expect(res.body).toEqual({
        id: first.member.id,
        email: '12015550177@phone.example.org',
        phoneNumber: NEW_E164,
        status: 'approved',
        createdAt: expect.any(String),
      });
      await t.http.get('/auth/me').set(bearer(other.sessionToken)).expect(401);
      const me = await t.http.get('/auth/me').set(bearer(first.sessionToken)).expect(200);
      expect(me.body.phoneNumber).toBe(NEW_E164);
      expect(events.filter((e) => e.event === OtpEvent.PHONE_CHANGED)).toEqual([
        expect.objectContaining({ memberId: first.member.id, maskedPhone: '+1******0177' }),
      ]);
      // Signing in by the new number finds the member; the old number is free again.
      const again = await signInByPhone(t, NEW_PHONE, NEW_E164);
      expect(again).toMatchObject({ isNewMember: false, member: { id: first.member.id } });
      const fresh = await signInByPhone(t);
      expect(fresh.isNewMember).toBe(true);
      expect(JSON.stringify(t.logs.lines)).not.toContain(NEW_E164);
    });

    it('refuses a number that is another member’s with 409, without sending a code', async () => {
      const alice = await signInByPhone(t);
      await signInByPhone(t, BOB_PHONE, BOB_E164);
      const before = t.emulator.deliveries(BOB_E164).length;

      const res = await sendNewPhoneCode(alice.sessionToken, BOB_PHONE).expect(409);

      expect(res.body).toMatchObject({ code: 'ALREADY_REGISTERED', results: false });
      expect(t.emulator.deliveries(BOB_E164)).toHaveLength(before);
    });

    it('keeps the phone on a wrong code, and refuses its own number, a bad number and a disallowed channel', async () => {
      const alice = await signInByPhone(t);
      await sendNewPhoneCode(alice.sessionToken).expect(200);
      const wrong = await t.http
        .post('/auth/account/phone')
        .set(bearer(alice.sessionToken))
        .send({ countryCode: 'US', phoneNumber: NEW_PHONE, confirmationCode: '000000' })
        .expect(401);
      expect(wrong.body.code).toBe('INVALID_CODE');
      const me = await t.http.get('/auth/me').set(bearer(alice.sessionToken)).expect(200);
      expect(me.body.phoneNumber).toBe(US_E164);

      const own = await sendNewPhoneCode(alice.sessionToken, US_PHONE).expect(400);
      expect(own.body.code).toBe('VALIDATION_FAILED');
      const bad = await sendNewPhoneCode(alice.sessionToken, '123').expect(400);
      expect(bad.body.code).toBe('INVALID_PHONE_NUMBER');
      const channel = await t.http
        .post('/auth/account/phone/send')
        .set(bearer(alice.sessionToken))
        .send({ countryCode: 'US', phoneNumber: NEW_PHONE, channel: 'carrier-pigeon' })
        .expect(400);
      expect(channel.body.code).toBe('CHANNEL_NOT_ALLOWED');
      await t.http
        .post('/auth/account/phone/send')
        .send({ countryCode: 'US', phoneNumber: NEW_PHONE, channel: 'sms' })
        .expect(401);
    });

    it('counts sends to the new number in the send limits', async () => {
      const alice = await signInByPhone(t);
      await sendNewPhoneCode(alice.sessionToken).expect(200);
      const again = await t.http
        .post('/auth/account/phone/send')
        .set(bearer(alice.sessionToken))
        .send({ countryCode: 'US', phoneNumber: NEW_PHONE, channel: 'sms' })
        .expect(429);
      expect(again.body.code).toBe('TOO_MANY_REQUESTS');
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('asks a member with a password for it, and refuses a wrong one', async () => {
      await registerTwoFactor(t, 'alice@example.com', PASSWORD, US_PHONE, US_E164);
      const token = await twoFactorSignIn('alice@example.com', US_E164);
      await sendNewPhoneCode(token).expect(200);
      const change = { countryCode: 'US', phoneNumber: NEW_PHONE };

      const missing = await t.http
        .post('/auth/account/phone')
        .set(bearer(token))
        .send({ ...change, confirmationCode: t.emulator.lastCode(NEW_E164) })
        .expect(400);
      expect(missing.body.message).toMatch(/currentPassword/);
      const wrong = await t.http
        .post('/auth/account/phone')
        .set(bearer(token))
        .send({
          ...change,
          confirmationCode: t.emulator.lastCode(NEW_E164),
          currentPassword: 'not the password',
        })
        .expect(401);
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');

      const res = await t.http
        .post('/auth/account/phone')
        .set(bearer(token))
        .send({
          ...change,
          confirmationCode: t.emulator.lastCode(NEW_E164),
          currentPassword: PASSWORD,
        })
        .expect(200);
      expect(res.body).toMatchObject({ email: 'alice@example.com', phoneNumber: NEW_E164 });
      // The next sign-in code goes to the new phone.
      await twoFactorSignIn('alice@example.com', NEW_E164);
    });
  });

  describe('changing email', () => {
    it('sets a new email with the current password and a code, and revokes the other sessions', async () => {
      await registerTwoFactor(t, 'alice@example.com', PASSWORD, US_PHONE, US_E164);
      const token = await twoFactorSignIn('alice@example.com', US_E164);
      const other = await twoFactorSignIn('alice@example.com', US_E164);

      t.emulator.advanceTime(61_000);
      await t.http
        .post('/auth/account/email/send')
        .set(bearer(token))
        .send({ channel: 'sms' })
        .expect(200);
      const res = await t.http
        .post('/auth/account/email')
        .set(bearer(token))
        .send({
          newEmail: 'Alice@Example.NET',
          currentPassword: PASSWORD,
          confirmationCode: t.emulator.lastCode(US_E164),
        })
        .expect(200);

      expect(res.body.email).toBe('alice@example.net');
      await t.http.get('/auth/me').set(bearer(other)).expect(401);
      await t.http.get('/auth/me').set(bearer(token)).expect(200);
      expect(events.filter((e) => e.event === OtpEvent.EMAIL_CHANGED)).toHaveLength(1);
      await twoFactorSignIn('alice@example.net', US_E164);
      const old = await t.http
        .post('/auth/2fa/login/send')
        .send({ email: 'alice@example.com', password: PASSWORD, channel: 'sms' })
        .expect(401);
      expect(old.body.code).toBe('INVALID_CREDENTIALS');
    });

    it('refuses the placeholder domain, a wrong password, a wrong code and, with the right code, a taken email, changing nothing', async () => {
      await registerTwoFactor(t, 'alice@example.com', PASSWORD, US_PHONE, US_E164);
      t.emulator.advanceTime(11 * 60_000);
      await registerTwoFactor(t, 'bob@example.com', PASSWORD, BOB_PHONE, BOB_E164);
      const token = await twoFactorSignIn('alice@example.com', US_E164);
      t.emulator.advanceTime(61_000);
      await t.http
        .post('/auth/account/email/send')
        .set(bearer(token))
        .send({ channel: 'sms' })
        .expect(200);
      const code = t.emulator.lastCode(US_E164);
      const attempt = (body: object) =>
        t.http.post('/auth/account/email').set(bearer(token)).send(body);

      const placeholder = await attempt({
        newEmail: 'alice@phone.example.org',
        currentPassword: PASSWORD,
        confirmationCode: code,
      }).expect(400);
      expect(placeholder.body.code).toBe('EMAIL_NOT_ALLOWED');
      const wrongPassword = await attempt({
        newEmail: 'alice@example.net',
        currentPassword: 'not the password',
        confirmationCode: code,
      }).expect(401);
      expect(wrongPassword.body.code).toBe('INVALID_CREDENTIALS');
      const wrongCode = await attempt({
        newEmail: 'alice@example.net',
        currentPassword: PASSWORD,
        confirmationCode: '000000',
      }).expect(401);
      expect(wrongCode.body.code).toBe('INVALID_CODE');
      const malformed = await attempt({
        newEmail: 'not an email',
        currentPassword: PASSWORD,
        confirmationCode: code,
      }).expect(400);
      expect(malformed.body.code).toBe('VALIDATION_FAILED');
      // Whether an email is taken is told only to the right code, which it spends.
      const taken = await attempt({
        newEmail: 'BOB@example.com',
        currentPassword: PASSWORD,
        confirmationCode: code,
      }).expect(409);
      expect(taken.body.code).toBe('ALREADY_REGISTERED');

      const me = await t.http.get('/auth/me').set(bearer(token)).expect(200);
      expect(me.body.email).toBe('alice@example.com');
    });

    it('tells a passwordless member there is no email to change', async () => {
      const alice = await signInByPhone(t);
      const res = await t.http
        .post('/auth/account/email/send')
        .set(bearer(alice.sessionToken))
        .send({ channel: 'sms' })
        .expect(403);
      expect(res.body.code).toBe('FORBIDDEN');
    });
  });

  describe('recovery codes', () => {
    async function makeCodes(token: string): Promise<string[]> {
      const res = await t.http.post('/auth/account/recovery-codes').set(bearer(token)).expect(200);
      return res.body.codes as string[];
    }

    it('gives ten single-use codes once, keeps only their hashes, and counts what is left', async () => {
      const alice = await signInByPhone(t);
      const status = () =>
        t.http.get('/auth/account/recovery-codes').set(bearer(alice.sessionToken)).expect(200);
      expect((await status()).body).toEqual({ remaining: 0, createdAt: null });

      const codes = await makeCodes(alice.sessionToken);

      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
      expect((await status()).body).toEqual({ remaining: 10, createdAt: expect.any(String) });
      const stored: { code_hash: string }[] = await t.dataSource.query(
        'SELECT code_hash FROM otp_recovery_codes',
      );
      expect(stored).toHaveLength(10);
      const everything = JSON.stringify(
        await t.dataSource.query('SELECT * FROM otp_recovery_codes'),
      );
      for (const code of codes) {
        expect(everything).not.toContain(code);
        expect(everything).not.toContain(code.replace(/-/g, ''));
      }
      expect(JSON.stringify(t.logs.lines)).not.toContain(codes[0]);
    });

    it('signs a passwordless member in with a code once, in any case and spacing, and leaves their sessions alone', async () => {
      const alice = await signInByPhone(t);
      const codes = await makeCodes(alice.sessionToken);
      const recover = (recoveryCode: string) =>
        t.http
          .post('/auth/otp/recover')
          .send({ countryCode: 'US', phoneNumber: US_PHONE, recoveryCode });

      const typed = codes[3].toLowerCase().replace(/-/g, ' ');
      const res = await recover(typed).expect(200);

      expect(res.body).toEqual({
        results: true,
        sessionToken: expect.any(String),
        member: expect.objectContaining({ id: alice.member.id }),
        isNewMember: false,
        recoveryCodesRemaining: 9,
      });
      await t.http.get('/auth/me').set(bearer(res.body.sessionToken)).expect(200);
      await t.http.get('/auth/me').set(bearer(alice.sessionToken)).expect(200);
      const twice = await recover(codes[3]).expect(401);
      expect(twice.body).toMatchObject({ code: 'INVALID_CODE', results: false });
      expect(events.filter((e) => e.event === OtpEvent.RECOVERY_CODE_USED)).toEqual([
        expect.objectContaining({ memberId: alice.member.id, remaining: 9 }),
      ]);
      expect(t.logs.lines.join('\n')).toMatch(/used a recovery code; 9 left/);

      // The session counts as verified: it can set a new phone, which is what a member who lost
      // theirs needs next.
      const fromRecovery = res.body.sessionToken as string;
      await sendNewPhoneCode(fromRecovery).expect(200);
      await t.http
        .post('/auth/account/phone')
        .set(bearer(fromRecovery))
        .send({
          countryCode: 'US',
          phoneNumber: NEW_PHONE,
          confirmationCode: t.emulator.lastCode(NEW_E164),
        })
        .expect(200);
    });

    it('answers an unknown number, a wrong code and a malformed code alike', async () => {
      const alice = await signInByPhone(t);
      const codes = await makeCodes(alice.sessionToken);
      const bodies = [
        { countryCode: 'US', phoneNumber: BOB_PHONE, recoveryCode: codes[0] },
        { countryCode: 'US', phoneNumber: US_PHONE, recoveryCode: 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA' },
        { countryCode: 'US', phoneNumber: US_PHONE, recoveryCode: 'not-a-code' },
      ];
      const answers = [];
      for (const body of bodies) {
        const res = await t.http.post('/auth/otp/recover').send(body).expect(401);
        answers.push(res.body);
      }
      expect(answers).toEqual([answers[0], answers[0], answers[0]]);
      expect(answers[0].code).toBe('INVALID_CODE');
    });

    it('replaces an earlier set, and needs a code checked in the last 5 minutes', async () => {
      const alice = await signInByPhone(t);
      const first = await makeCodes(alice.sessionToken);
      const second = await makeCodes(alice.sessionToken);
      const old = await t.http
        .post('/auth/otp/recover')
        .send({ countryCode: 'US', phoneNumber: US_PHONE, recoveryCode: first[0] })
        .expect(401);
      expect(old.body.code).toBe('INVALID_CODE');

      await ageSession(alice.sessionToken, 6 * 60_000);
      const stale = await t.http
        .post('/auth/account/recovery-codes')
        .set(bearer(alice.sessionToken))
        .expect(403);
      expect(stale.body).toMatchObject({ code: 'REVERIFICATION_REQUIRED', results: false });

      t.emulator.advanceTime(61_000);
      await t.http
        .post('/auth/session/verify/send')
        .set(bearer(alice.sessionToken))
        .send({ channel: 'sms' })
        .expect(200);
      const wrong = await t.http
        .post('/auth/session/verify')
        .set(bearer(alice.sessionToken))
        .send({ confirmationCode: '000000' })
        .expect(401);
      expect(wrong.body.code).toBe('INVALID_CODE');
      const verified = await t.http
        .post('/auth/session/verify')
        .set(bearer(alice.sessionToken))
        .send({ confirmationCode: t.emulator.lastCode(US_E164) })
        .expect(200);
      expect(verified.body).toEqual({
        results: true,
        sessionToken: expect.any(String),
        verifiedAt: expect.any(String),
      });
      // The token is renewed: the one before the re-verification is ended.
      expect(verified.body.sessionToken).not.toBe(alice.sessionToken);
      await t.http.get('/auth/me').set(bearer(alice.sessionToken)).expect(401);
      const third = await makeCodes(verified.body.sessionToken);
      expect(third).not.toEqual(second);
    });

    it('is a second factor for two-factor sign-in, after the right password only', async () => {
      await registerTwoFactor(t, 'alice@example.com', PASSWORD, US_PHONE, US_E164);
      const token = await twoFactorSignIn('alice@example.com', US_E164);
      const codes = await makeCodes(token);
      const login = (body: object) =>
        t.http.post('/auth/2fa/login').send({ email: 'alice@example.com', ...body });

      const wrongPassword = await login({ password: 'not the password', recoveryCode: codes[0] });
      expect(wrongPassword.status).toBe(401);
      expect(wrongPassword.body.code).toBe('INVALID_CREDENTIALS');
      const both = await login({
        password: PASSWORD,
        recoveryCode: codes[0],
        confirmationCode: '123456',
      });
      expect(both.status).toBe(400);
      expect(both.body.code).toBe('VALIDATION_FAILED');
      const neither = await login({ password: PASSWORD });
      expect(neither.status).toBe(400);
      // A two-factor member cannot skip the password through the passwordless route, and the code
      // stays unused.
      const passwordless = await t.http
        .post('/auth/otp/recover')
        .send({ countryCode: 'US', phoneNumber: US_PHONE, recoveryCode: codes[0] })
        .expect(403);
      expect(passwordless.body.code).toBe('PASSWORD_REQUIRED');

      const res = await login({ password: PASSWORD, recoveryCode: codes[0] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        sessionToken: expect.any(String),
        member: expect.objectContaining({ email: 'alice@example.com' }),
        recoveryCodesRemaining: 9,
      });
      const again = await login({ password: PASSWORD, recoveryCode: codes[0] });
      expect(again.status).toBe(401);
      expect(again.body.code).toBe('INVALID_CODE');
    });

    it('bounds guessing of recovery codes per client, not per number', async () => {
      const alice = await signInByPhone(t);
      await makeCodes(alice.sessionToken);
      const guess = () =>
        t.http.post('/auth/otp/recover').send({
          countryCode: 'US',
          phoneNumber: US_PHONE,
          recoveryCode: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ',
        });
      const statuses: number[] = [];
      // checksPerIp: 100 checks per 15 minutes from one client, whatever the number; the sign-in
      // used one of them.
      for (let i = 0; i < 99; i++) statuses.push((await guess()).status);
      expect(statuses).toEqual(Array(99).fill(401));
      const refused = await guess();
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('TOO_MANY_REQUESTS');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  it('asks a session whose last code check is over 5 minutes old to re-verify before any change', async () => {
    await registerTwoFactor(t, 'alice@example.com', PASSWORD, US_PHONE, US_E164);
    const token = await twoFactorSignIn('alice@example.com', US_E164);
    await ageSession(token, 6 * 60_000);
    const sends = t.emulator.deliveries().length;

    for (const [method, path, body] of [
      [
        'post',
        '/auth/account/phone/send',
        { countryCode: 'US', phoneNumber: NEW_PHONE, channel: 'sms' },
      ],
      [
        'post',
        '/auth/account/phone',
        {
          countryCode: 'US',
          phoneNumber: NEW_PHONE,
          confirmationCode: '123456',
          currentPassword: PASSWORD,
        },
      ],
      ['post', '/auth/account/email/send', { channel: 'sms' }],
      [
        'post',
        '/auth/account/email',
        { newEmail: 'a@example.net', currentPassword: PASSWORD, confirmationCode: '123456' },
      ],
      ['post', '/auth/account/recovery-codes', undefined],
      ['post', '/auth/account/delete/send', { channel: 'sms' }],
      ['delete', '/auth/account', { confirmationCode: '123456' }],
      ['post', '/auth/2fa/password/change/send', { channel: 'sms' }],
      [
        'post',
        '/auth/2fa/password/change',
        {
          currentPassword: PASSWORD,
          newPassword: 'another long password',
          confirmationCode: '123456',
        },
      ],
    ] as const) {
      const res = await t.http[method](path).set(bearer(token)).send(body);
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'REVERIFICATION_REQUIRED']);
    }
    expect(t.emulator.deliveries()).toHaveLength(sends);
    // A host's own route with @RequireRecentVerification() asks the same, and re-verifying opens it.
    const host = await t.http.post('/members-only/sensitive').set(bearer(token)).expect(403);
    expect(host.body.code).toBe('REVERIFICATION_REQUIRED');
    t.emulator.advanceTime(61_000);
    await t.http
      .post('/auth/session/verify/send')
      .set(bearer(token))
      .send({ channel: 'sms' })
      .expect(200);
    const verified = await t.http
      .post('/auth/session/verify')
      .set(bearer(token))
      .send({ confirmationCode: t.emulator.lastCode(US_E164) })
      .expect(200);
    const renewed: string = verified.body.sessionToken;
    await t.http.post('/members-only/sensitive').set(bearer(renewed)).expect(200);
    await t.http.post('/members-only/sensitive').set(bearer(token)).expect(401);
    await t.http.post('/members-only/sensitive').expect(401);
    // What is not a change still answers.
    await t.http.get('/auth/account/recovery-codes').set(bearer(renewed)).expect(200);
    await t.http.get('/auth/me').set(bearer(renewed)).expect(200);
  });

  describe('deleting the account', () => {
    it('erases the member, their sessions and recovery codes with the code, and frees the phone', async () => {
      const alice = await signInByPhone(t);
      await t.http.post('/auth/account/recovery-codes').set(bearer(alice.sessionToken)).expect(200);
      t.emulator.advanceTime(61_000);
      await t.http
        .post('/auth/account/delete/send')
        .set(bearer(alice.sessionToken))
        .send({ channel: 'sms' })
        .expect(200);
      const wrong = await t.http
        .delete('/auth/account')
        .set(bearer(alice.sessionToken))
        .send({ confirmationCode: '000000' })
        .expect(401);
      expect(wrong.body.code).toBe('INVALID_CODE');
      await t.http.get('/auth/me').set(bearer(alice.sessionToken)).expect(200);

      await t.http
        .delete('/auth/account')
        .set(bearer(alice.sessionToken))
        .send({ confirmationCode: t.emulator.lastCode(US_E164) })
        .expect(204);

      await t.http.get('/auth/me').set(bearer(alice.sessionToken)).expect(401);
      for (const table of ['otp_members', 'otp_member_sessions', 'otp_recovery_codes']) {
        const [{ n }] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
        expect(Number(n)).toBe(0);
      }
      expect(events.filter((e) => e.event === OtpEvent.MEMBER_DELETED)).toEqual([
        expect.objectContaining({ memberId: alice.member.id, maskedPhone: '+1******0123' }),
      ]);
      const again = await signInByPhone(t);
      expect(again.isNewMember).toBe(true);
      expect(again.member.id).not.toBe(alice.member.id);
    });
  });

  describe('admin', () => {
    const admin = { 'x-admin': 'yes' };

    it('pages through members by cursor, by status, and searches by email or phone', async () => {
      const members = [];
      for (let i = 0; i < 5; i++) {
        const phone = `(201) 555-01${10 + i}`;
        members.push(await signInByPhone(t, phone, `+120155501${10 + i}`));
      }
      await registerTwoFactor(t, 'carol@example.com', PASSWORD, '(201) 555-0199', '+12015550199');

      const first = await t.http.get('/auth/admin/members?limit=2').set(admin).expect(200);
      expect(first.body.items.map((m: { id: string }) => m.id)).toEqual([
        members[0].member.id,
        members[1].member.id,
      ]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string> = { limit: '2', ...(cursor ? { cursor } : {}) };
        const page = await t.http.get('/auth/admin/members').query(query).set(admin).expect(200);
        seen.push(...page.body.items.map((m: { id: string }) => m.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(6);
      expect(new Set(seen).size).toBe(6);

      const byEmail = await t.http.get('/auth/admin/members?q=CAROL@').set(admin).expect(200);
      expect(byEmail.body.items.map((m: { email: string }) => m.email)).toEqual([
        'carol@example.com',
      ]);
      const byPhone = await t.http
        .get('/auth/admin/members')
        .query({ q: '+1 (201) 555-011' })
        .set(admin)
        .expect(200);
      expect(byPhone.body.items).toHaveLength(5);
      const exact = await t.http.get('/auth/admin/members?q=12015550112').set(admin).expect(200);
      expect(exact.body.items.map((m: { id: string }) => m.id)).toEqual([members[2].member.id]);
      const wildcard = await t.http.get('/auth/admin/members?q=%25').set(admin).expect(200);
      expect(wildcard.body.items).toEqual([]);

      await t.http.post(`/auth/admin/members/${members[1].member.id}/block`).set(admin).expect(200);
      const blocked = await t.http.get('/auth/admin/members?status=blocked').set(admin).expect(200);
      expect(blocked.body).toEqual({
        items: [expect.objectContaining({ id: members[1].member.id, status: 'blocked' })],
        nextCursor: null,
      });
    });

    it('refuses bad paging input with 400', async () => {
      for (const query of [
        'limit=0',
        'limit=201',
        'limit=two',
        'status=gone',
        'cursor=bm90LWEtY3Vyc29y',
        'limit=1&limit=2',
      ]) {
        const res = await t.http.get(`/auth/admin/members?${query}`).set(admin);
        expect([query, res.status, res.body.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
      }
      await t.http.get('/auth/admin/members').expect(403);
    });

    it('shows, re-phones and deletes one member', async () => {
      const alice = await signInByPhone(t);
      await signInByPhone(t, BOB_PHONE, BOB_E164);
      const id = alice.member.id;

      const one = await t.http.get(`/auth/admin/members/${id}`).set(admin).expect(200);
      expect(one.body).toMatchObject({ id, phoneNumber: US_E164 });
      const taken = await t.http
        .post(`/auth/admin/members/${id}/phone`)
        .set(admin)
        .send({ countryCode: 'US', phoneNumber: BOB_PHONE })
        .expect(409);
      expect(taken.body.code).toBe('ALREADY_REGISTERED');
      const moved = await t.http
        .post(`/auth/admin/members/${id}/phone`)
        .set(admin)
        .send({ countryCode: 'US', phoneNumber: NEW_PHONE })
        .expect(200);
      expect(moved.body).toMatchObject({ id, phoneNumber: NEW_E164 });
      await t.http.get('/auth/me').set(bearer(alice.sessionToken)).expect(401);
      expect(events.filter((e) => e.event === OtpEvent.PHONE_CHANGED)).toEqual([
        expect.objectContaining({ memberId: id, method: 'admin' }),
      ]);
      const bad = await t.http
        .post(`/auth/admin/members/${id}/phone`)
        .set(admin)
        .send({ countryCode: 'US', phoneNumber: '12' })
        .expect(400);
      expect(bad.body.code).toBe('INVALID_PHONE_NUMBER');

      await t.http.delete(`/auth/admin/members/${id}`).set(admin).expect(204);
      await t.http.get(`/auth/admin/members/${id}`).set(admin).expect(404);
      await t.http.delete(`/auth/admin/members/${id}`).set(admin).expect(404);
      await t.http.get('/auth/admin/members/not-a-uuid').set(admin).expect(400);
      await t.http.delete(`/auth/admin/members/${id}`).expect(403);
    });
  });
});
