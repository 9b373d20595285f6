import { OtpEvent, type OtpEventPayload } from 'nestjs-otp';
import { SoftwareAuthenticator } from 'nestjs-otp/testing';
import { bearer, registerTwoFactor, signInByPhone } from './support/flows.js';
import { createTestApp, type TestApp, US_E164, US_PHONE } from './support/test-app.js';

const ORIGIN = 'http://localhost:3000';
const PASSKEYS = { rpId: 'localhost', rpName: 'Example', origins: [ORIGIN] };
const PASSWORD = 'correct horse battery staple';

type Json = Record<string, unknown>;

/** The client data of a response, as the server reads it. */
function clientData(response: Json): Json {
  const inner = response.response as Json;
  return JSON.parse(Buffer.from(inner.clientDataJSON as string, 'base64url').toString('utf8'));
}

/** `response` answering another challenge, as a replayed or forged `none` attestation would. */
function withChallenge(response: Json, challenge: string): Json {
  const inner = response.response as Json;
  const data = { ...clientData(response), challenge };
  return {
    ...response,
    response: {
      ...inner,
      clientDataJSON: Buffer.from(JSON.stringify(data)).toString('base64url'),
    },
  };
}

describe('Passkeys', () => {
  let t: TestApp;
  let events: OtpEventPayload[];

  beforeAll(async () => {
    t = await createTestApp({ otp: { passkeys: PASSKEYS } });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.reset();
    events = [];
    for (const name of Object.values(OtpEvent)) t.on(name, (payload) => events.push(payload));
  });

  /** Adds a passkey made by `authenticator` to the member of `token`; the passkey as listed. */
  async function addPasskey(token: string, authenticator: SoftwareAuthenticator, name?: string) {
    const options = await t.http
      .post('/auth/account/passkeys/options')
      .set(bearer(token))
      .send({})
      .expect(200);
    const response = authenticator.register(options.body);
    const added = await t.http
      .post('/auth/account/passkeys')
      .set(bearer(token))
      .send({ response, ...(name && { name }) })
      .expect(201);
    return added.body as { id: string; name: string };
  }

  /** Signs in with a passkey of `authenticator`; the response of `/auth/passkey/login`. */
  async function passkeyLogin(authenticator: SoftwareAuthenticator, overrides = {}) {
    const options = await t.http.post('/auth/passkey/options').send({}).expect(200);
    const response = authenticator.authenticate(options.body, overrides);
    return t.http.post('/auth/passkey/login').send({ response });
  }

  const passkeyCount = async () =>
    Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM otp_passkeys'))[0].n);

  it('lets a phone member add a passkey named by their phone, then sign in with it alone, no code sent', async () => {
    const phone = await signInByPhone(t);
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const options = await t.http
      .post('/auth/account/passkeys/options')
      .set(bearer(phone.sessionToken))
      .send({})
      .expect(200);
    expect(options.body).toMatchObject({
      rp: { id: 'localhost', name: 'Example' },
      user: { name: '+1 201 555 0123', displayName: '+1 201 555 0123' },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    // The user handle is random: neither the phone, the email nor the member id.
    const handle = Buffer.from(options.body.user.id, 'base64url').toString('latin1');
    for (const known of [US_E164, phone.member.email, phone.member.id]) {
      expect(handle).not.toContain(known);
    }
    const added = await t.http
      .post('/auth/account/passkeys')
      .set(bearer(phone.sessionToken))
      .send({ response: authenticator.register(options.body) })
      .expect(201);
    expect(added.body).toEqual({
      id: expect.any(String),
      name: '+1 201 555 0123',
      createdAt: expect.any(String),
      lastUsedAt: null,
      backedUp: true,
      transports: expect.arrayContaining(['internal']),
    });
    expect(JSON.stringify(added.body)).not.toContain(authenticator.credentials()[0].id);
    expect(events.map((e) => e.event)).toContain(OtpEvent.PASSKEY_ADDED);

    const twilioCalls = t.emulator.requests().length;
    const login = await passkeyLogin(authenticator);
    expect(login.status).toBe(200);
    expect(login.body).toEqual({
      sessionToken: expect.any(String),
      member: expect.objectContaining({ id: phone.member.id, phoneNumber: US_E164 }),
    });
    expect(t.emulator.requests()).toHaveLength(twilioCalls);
    const sessions = await t.http.get('/auth/sessions').set(bearer(login.body.sessionToken));
    expect(sessions.body.find((s: { current: boolean }) => s.current)).toMatchObject({
      amr: ['passkey'],
      aal: 2,
      verifiedAt: expect.any(String),
    });
    expect(events).toContainEqual(
      expect.objectContaining({ event: OtpEvent.SIGNED_IN, method: 'passkey' }),
    );
    const listed = await t.http
      .get('/auth/account/passkeys')
      .set(bearer(login.body.sessionToken))
      .expect(200);
    expect(listed.body).toEqual([expect.objectContaining({ lastUsedAt: expect.any(String) })]);
  });

  it('lists, renames and removes a passkey; adding and removing need a recent proof', async () => {
    const phone = await signInByPhone(t);
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const passkey = await addPasskey(phone.sessionToken, authenticator, 'Laptop');
    expect(passkey.name).toBe('Laptop');
    const renamed = await t.http
      .patch(`/auth/account/passkeys/${passkey.id}`)
      .set(bearer(phone.sessionToken))
      .send({ name: 'Work laptop' })
      .expect(200);
    expect(renamed.body.name).toBe('Work laptop');
    await t.dataSource.query('UPDATE otp_member_sessions SET verified_at = verified_at - 600000');
    for (const [method, path] of [
      ['post', '/auth/account/passkeys/options'],
      ['delete', `/auth/account/passkeys/${passkey.id}`],
    ] as const) {
      const res = await t.http[method](path).set(bearer(phone.sessionToken)).send({});
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'REVERIFICATION_REQUIRED']);
    }
    // Re-verified with the passkey itself, on a new token.
    const options = await t.http
      .post('/auth/session/verify/passkey/options')
      .set(bearer(phone.sessionToken))
      .send({})
      .expect(200);
    expect(options.body.allowCredentials).toHaveLength(1);
    const verified = await t.http
      .post('/auth/session/verify')
      .set(bearer(phone.sessionToken))
      .send({ passkeyResponse: authenticator.authenticate(options.body) })
      .expect(200);
    const token: string = verified.body.sessionToken;
    await t.http.get('/auth/me').set(bearer(phone.sessionToken)).expect(401);
    await t.http.delete(`/auth/account/passkeys/${passkey.id}`).set(bearer(token)).expect(204);
    expect(await passkeyCount()).toBe(0);
    expect(events.map((e) => e.event)).toContain(OtpEvent.PASSKEY_REMOVED);
    const gone = await passkeyLogin(authenticator);
    expect([gone.status, gone.body.code]).toEqual([401, 'PASSKEY_INVALID']);
  });

  it('signs in a two-factor member alone with a passkey that verified the person (aal 2)', async () => {
    await registerTwoFactor(t, 'alice@example.com', PASSWORD, US_PHONE, US_E164);
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'alice@example.com', password: PASSWORD, channel: 'sms' })
      .expect(200);
    const signedIn = await t.http
      .post('/auth/2fa/login')
      .send({
        email: 'alice@example.com',
        password: PASSWORD,
        confirmationCode: t.emulator.lastCode(US_E164),
      })
      .expect(200);
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const passkey = await addPasskey(signedIn.body.sessionToken, authenticator);
    expect(passkey.name).toBe('alice@example.com');
    const login = await passkeyLogin(authenticator);
    expect(login.status).toBe(200);
    const current = (
      await t.http.get('/auth/sessions').set(bearer(login.body.sessionToken))
    ).body.find((s: { current: boolean }) => s.current);
    expect(current).toMatchObject({ amr: ['passkey'], aal: 2 });
  });

  describe('as an attacker', () => {
    let token: string;
    let memberId: string;
    let authenticator: SoftwareAuthenticator;
    beforeEach(async () => {
      const phone = await signInByPhone(t);
      token = phone.sessionToken;
      memberId = phone.member.id;
      authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    });

    async function registrationOptions(session = token) {
      return (
        await t.http
          .post('/auth/account/passkeys/options')
          .set(bearer(session))
          .send({})
          .expect(200)
      ).body;
    }

    it('cannot register a passkey made for another origin or rpId, or without user verification', async () => {
      for (const overrides of [
        { origin: 'https://evil.example' },
        { rpId: 'evil.example' },
        { userVerified: false },
      ]) {
        const response = authenticator.register(await registrationOptions(), overrides);
        const res = await t.http
          .post('/auth/account/passkeys')
          .set(bearer(token))
          .send({ response });
        expect([JSON.stringify(overrides), res.status, res.body.code]).toEqual([
          JSON.stringify(overrides),
          401,
          'PASSKEY_INVALID',
        ]);
        expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', results: false });
      }
      expect(await passkeyCount()).toBe(0);
    });

    it('cannot replay, reuse or borrow a challenge', async () => {
      const options = await registrationOptions();
      const response = authenticator.register(options);
      await t.http.post('/auth/account/passkeys').set(bearer(token)).send({ response }).expect(201);
      // The same answer again: its challenge is spent.
      const replayed = await t.http
        .post('/auth/account/passkeys')
        .set(bearer(token))
        .send({ response });
      expect([replayed.status, replayed.body.code]).toEqual([401, 'CHALLENGE_EXPIRED']);
      // A sign-in answering a registration challenge: another ceremony.
      const foreign = authenticator.authenticate(
        { rpId: 'localhost', challenge: (await registrationOptions()).challenge },
        {},
      );
      const login = await t.http.post('/auth/passkey/login').send({ response: foreign });
      expect([login.status, login.body.code]).toEqual([401, 'CHALLENGE_EXPIRED']);
      // A challenge given to another session.
      const other = await signInByPhone(t, '(201) 555-0124', '+12015550124');
      const stolen = await registrationOptions(other.sessionToken);
      const borrowed = authenticator.register(stolen, { ignoreExcludeCredentials: true });
      const res = await t.http
        .post('/auth/account/passkeys')
        .set(bearer(token))
        .send({ response: borrowed });
      expect([res.status, res.body.code]).toEqual([401, 'CHALLENGE_EXPIRED']);
      // The authenticator keeps what it made; the server kept nothing of it.
      authenticator.remove(borrowed.id);
      // A sign-in answer used twice.
      const signIn = await t.http.post('/auth/passkey/options').send({}).expect(200);
      const assertion = authenticator.authenticate(signIn.body);
      await t.http.post('/auth/passkey/login').send({ response: assertion }).expect(200);
      const twice = await t.http.post('/auth/passkey/login').send({ response: assertion });
      expect([twice.status, twice.body.code]).toEqual([401, 'CHALLENGE_EXPIRED']);
    });

    it('cannot use an expired challenge', async () => {
      await addPasskey(token, authenticator);
      const options = await t.http.post('/auth/passkey/options').send({}).expect(200);
      await t.dataSource.query(
        'UPDATE otp_passkey_challenges SET expires_at = expires_at - 301000',
      );
      const res = await t.http
        .post('/auth/passkey/login')
        .send({ response: authenticator.authenticate(options.body) });
      expect([res.status, res.body.code]).toEqual([401, 'CHALLENGE_EXPIRED']);
    });

    it('cannot register one credential twice', async () => {
      await addPasskey(token, authenticator);
      const options = await registrationOptions();
      const again = authenticator.register(options, {
        ignoreExcludeCredentials: true,
        credentialId: authenticator.credentials()[0].id,
      });
      const res = await t.http
        .post('/auth/account/passkeys')
        .set(bearer(token))
        .send({ response: again });
      expect([res.status, res.body.code]).toEqual([409, 'ALREADY_REGISTERED']);
      expect(await passkeyCount()).toBe(1);
    });

    it('cannot sign in without user verification, from another origin, or with a counter that went back', async () => {
      await addPasskey(token, authenticator);
      for (const overrides of [{ userVerified: false }, { origin: 'https://evil.example' }]) {
        const res = await passkeyLogin(authenticator, overrides);
        expect([res.status, res.body.code]).toEqual([401, 'PASSKEY_INVALID']);
      }
      await passkeyLogin(authenticator).then((res) => expect(res.status).toBe(200));
      await passkeyLogin(authenticator).then((res) => expect(res.status).toBe(200));
      // A cloned authenticator signing with an older counter.
      const cloned = await passkeyLogin(authenticator, { counter: 1 });
      expect([cloned.status, cloned.body.code]).toEqual([401, 'PASSKEY_INVALID']);
      expect(t.logs.lines.join('\n')).toMatch(/may have been cloned/);
    });

    it('cannot re-verify a session with another member’s passkey', async () => {
      const mallory = await signInByPhone(t, '(201) 555-0125', '+12015550125');
      const theirs = new SoftwareAuthenticator({ origin: ORIGIN });
      await addPasskey(mallory.sessionToken, theirs);
      await addPasskey(token, authenticator);
      const options = await t.http
        .post('/auth/session/verify/passkey/options')
        .set(bearer(token))
        .send({})
        .expect(200);
      const foreign = theirs.authenticate(options.body, {
        credentialId: theirs.credentials()[0].id,
      });
      const res = await t.http
        .post('/auth/session/verify')
        .set(bearer(token))
        .send({ passkeyResponse: foreign });
      expect([res.status, res.body.code]).toEqual([401, 'PASSKEY_INVALID']);
      expect(memberId).not.toBe(mallory.member.id);
    });

    it('gets 400 for malformed or oversized responses, and nothing is stored', async () => {
      const options = await registrationOptions();
      const good = authenticator.register(options) as unknown as Json;
      for (const response of [
        'not an object',
        { ...good, type: 'password' },
        { ...good, rawId: 'another' },
        {
          ...good,
          response: { ...(good.response as Json), attestationObject: 'a'.repeat(20_000) },
        },
        { ...good, response: { ...(good.response as Json), clientDataJSON: '%%%' } },
      ]) {
        const res = await t.http
          .post('/auth/account/passkeys')
          .set(bearer(token))
          .send({ response });
        expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      }
      const login = await t.http.post('/auth/passkey/login').send({ response: { id: 1 } });
      expect([login.status, login.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(await passkeyCount()).toBe(0);
      // The forged client data of a real response with another challenge: refused, not a 500.
      const forged = withChallenge(good, 'A'.repeat(43));
      const res = await t.http
        .post('/auth/account/passkeys')
        .set(bearer(token))
        .send({ response: forged });
      expect([res.status, res.body.code]).toEqual([401, 'CHALLENGE_EXPIRED']);
    });

    it('cannot fill the challenge table from one client: options count as checks per IP', async () => {
      for (let i = 0; i < 99; i++) await t.http.post('/auth/passkey/options').send({}).expect(200);
      const refused = await t.http.post('/auth/passkey/options').send({});
      expect([refused.status, refused.body.code]).toEqual([429, 'TOO_MANY_REQUESTS']);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('cannot sign in a blocked member, and a deleted member’s passkeys go with them', async () => {
      await addPasskey(token, authenticator);
      await t.dataSource.query(
        `UPDATE otp_members SET status = 'blocked' WHERE id = '${memberId}'`,
      );
      const blocked = await passkeyLogin(authenticator);
      expect([blocked.status, blocked.body.code]).toEqual([403, 'MEMBER_BLOCKED']);
      await t.dataSource.query(`DELETE FROM otp_members WHERE id = '${memberId}'`);
      expect(await passkeyCount()).toBe(0);
    });
  });
});

describe('Passkeys that need not verify the person', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      otp: { passkeys: { ...PASSKEYS, userVerification: 'preferred' } },
    });
  });
  afterAll(() => t.close());

  it('count as one factor: a member with a password is sent to the two-factor sign-in', async () => {
    await registerTwoFactor(t, 'bob@example.com', PASSWORD, US_PHONE, US_E164);
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'bob@example.com', password: PASSWORD, channel: 'sms' })
      .expect(200);
    const signedIn = await t.http
      .post('/auth/2fa/login')
      .send({
        email: 'bob@example.com',
        password: PASSWORD,
        confirmationCode: t.emulator.lastCode(US_E164),
      })
      .expect(200);
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN, userVerification: false });
    const options = await t.http
      .post('/auth/account/passkeys/options')
      .set(bearer(signedIn.body.sessionToken))
      .send({})
      .expect(200);
    await t.http
      .post('/auth/account/passkeys')
      .set(bearer(signedIn.body.sessionToken))
      .send({ response: authenticator.register(options.body) })
      .expect(201);
    const login = await t.http.post('/auth/passkey/options').send({}).expect(200);
    const res = await t.http
      .post('/auth/passkey/login')
      .send({ response: authenticator.authenticate(login.body) });
    expect([res.status, res.body.code]).toEqual([403, 'PASSWORD_REQUIRED']);
  });
});

describe('Passkeys turned off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answer 404 on their routes', async () => {
    const res = await t.http.post('/auth/passkey/options').send({});
    expect([res.status, res.body.code]).toEqual([404, 'NOT_FOUND']);
  });
});
