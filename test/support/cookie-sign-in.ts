import type { MemberView } from 'nestjs-otp';
import { type TestApp, US_E164, US_PHONE } from './test-app.js';

/**
 * Signs in by phone in an app with the session cookie on, as a browser does: answers the
 * `name=value` pair of the cookie that `POST /auth/otp/login` sets, and the member.
 */
export async function signInWithCookie(
  t: TestApp,
): Promise<{ cookie: string; member: MemberView }> {
  t.emulator.advanceTime(11 * 60_000);
  const phone = { countryCode: 'US', phoneNumber: US_PHONE };
  await t.http
    .post('/auth/otp/send')
    .send({ channel: 'sms', ...phone })
    .expect(200);
  const login = await t.http
    .post('/auth/otp/login')
    .send({ confirmationCode: t.emulator.lastCode(US_E164), ...phone })
    .expect(200);
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  return { cookie, member: login.body.member as MemberView };
}
