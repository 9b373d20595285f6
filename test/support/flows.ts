import { type TestApp, US_E164, US_PHONE } from './test-app.js';

/**
 * What a send answers beside its flag with the default options: the channel, the 30 s send
 * cooldown and Twilio Verify's 10-minute codes.
 */
export const SMS_SENT = { channel: 'sms', resendAfterSeconds: 30, expiresInSeconds: 600 } as const;

/** The body of a passwordless sign-in. */
export interface PhoneSignIn {
  sessionToken: string;
  member: { id: string; email: string };
  isNewMember: boolean;
}

/**
 * Signs in by phone over HTTP: moves the emulator past Twilio's code validity (and the module's
 * send cooldown), sends a code, and logs in with it.
 */
export async function signInByPhone(
  t: TestApp,
  phoneNumber = US_PHONE,
  e164 = US_E164,
  userAgent = 'jest',
): Promise<PhoneSignIn> {
  t.emulator.advanceTime(11 * 60_000);
  await t.http
    .post('/auth/otp/send')
    .send({ channel: 'sms', countryCode: 'US', phoneNumber })
    .expect(200);
  const res = await t.http
    .post('/auth/otp/login')
    .set('User-Agent', userAgent)
    .send({ confirmationCode: t.emulator.lastCode(e164), countryCode: 'US', phoneNumber })
    .expect(200);
  return res.body as PhoneSignIn;
}

/** The header of a bearer token. */
export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Registers a two-factor member over HTTP (automatic approval): send code, then register. */
export async function registerTwoFactor(
  t: TestApp,
  email: string,
  password: string,
  phoneNumber: string,
  e164: string,
): Promise<void> {
  const who = { email, phoneNumber, countryCode: 'US' };
  await t.http
    .post('/auth/2fa/register/send')
    .send({ ...who, channel: 'sms' })
    .expect(200);
  await t.http
    .post('/auth/2fa/register')
    .send({ ...who, password, confirmationCode: t.emulator.lastCode(e164) })
    .expect(201);
}
