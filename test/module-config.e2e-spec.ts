import { Injectable, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  CountriesService,
  Member,
  MemberSession,
  OTP_ENTITIES,
  otpConfig,
  OtpModule,
  type OtpModuleOptions,
  Passkey,
  PasskeyChallenge,
  RecoveryCode,
  TotpAuthenticator,
  TrustedDevice,
} from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import {
  createTestApp,
  emulatorOptions,
  testDatabase,
  type TestApp,
  US_E164,
  US_PHONE,
} from './support/test-app.js';

/**
 * An app whose module options come from the environment (`otpConfig`): the emulator's
 * credentials and `variables`. `close()` also puts the environment back.
 */
async function appFromEnvironment(
  emulator: TwilioVerifyEmulator,
  variables: Record<string, string>,
): Promise<{ t: TestApp; close(): Promise<void> }> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    TWILIO_ACCOUNT_SID: emulator.accountSid,
    TWILIO_AUTH_TOKEN: emulator.authToken,
    TWILIO_VERIFY_SERVICE_SID: emulator.serviceSid,
    TWILIO_VERIFY_BASE_URL: emulator.url,
    ...variables,
  });
  try {
    const t = await createTestApp({
      emulator,
      otpModule: () => OtpModule.forRootAsync(otpConfig.asProvider()),
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true })],
    });
    return {
      t,
      close: async () => {
        process.env = saved;
        await t.close();
      },
    };
  } catch (error) {
    process.env = saved;
    throw error;
  }
}

/** Proves the app signs in end to end with the module as configured. */
async function expectWorkingSignIn(t: TestApp, prefix = '/auth'): Promise<void> {
  await t.http
    .post(`${prefix}/otp/send`)
    .send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE })
    .expect(200);
  const res = await t.http
    .post(`${prefix}/otp/login`)
    .send({
      confirmationCode: t.emulator.lastCode(US_E164),
      countryCode: 'US',
      phoneNumber: US_PHONE,
    })
    .expect(200);
  await t.http
    .get(`${prefix}/me`)
    .set('Authorization', `Bearer ${res.body.sessionToken}`)
    .expect(200);
}

let emulator: TwilioVerifyEmulator;
beforeAll(async () => {
  emulator = await new TwilioVerifyEmulator().start();
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

/** Options from a class, for `useClass` / `useExisting`. */
@Injectable()
class OtpOptionsFactory {
  static emulator: TwilioVerifyEmulator;
  createOtpOptions(): OtpModuleOptions {
    return emulatorOptions(OtpOptionsFactory.emulator);
  }
}

@Module({ providers: [OtpOptionsFactory], exports: [OtpOptionsFactory] })
class OptionsFactoryModule {}

describe('OtpModule registration', () => {
  it.each<[string, () => ReturnType<typeof OtpModule.forRoot>]>([
    ['forRoot', () => OtpModule.forRoot(emulatorOptions(emulator))],
    [
      'forRootAsync with useFactory and inject',
      () =>
        OtpModule.forRootAsync({
          imports: [OptionsFactoryModule],
          inject: [OtpOptionsFactory],
          useFactory: (factory: OtpOptionsFactory) => factory.createOtpOptions(),
        }),
    ],
    ['forRootAsync with useClass', () => OtpModule.forRootAsync({ useClass: OtpOptionsFactory })],
    [
      'forRootAsync with useExisting',
      () =>
        OtpModule.forRootAsync({ imports: [OptionsFactoryModule], useExisting: OtpOptionsFactory }),
    ],
  ])('%s', async (_label, build) => {
    OtpOptionsFactory.emulator = emulator;
    const t = await createTestApp({ emulator, otpModule: build });
    try {
      await expectWorkingSignIn(t);
    } finally {
      await t.close();
    }
  });

  it('forRootAsync(otpConfig.asProvider()) reads the environment', async () => {
    const { t, close } = await appFromEnvironment(emulator, {
      OTP_MAIL_DOMAIN: 'members.example.org',
      OTP_CHANNELS: 'sms',
    });
    try {
      await t.http
        .post('/auth/otp/send')
        .send({ channel: 'call', countryCode: 'US', phoneNumber: US_PHONE })
        .expect(400);
      await t.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE })
        .expect(200);
      const res = await t.http
        .post('/auth/otp/login')
        .send({
          confirmationCode: emulator.lastCode(US_E164),
          countryCode: 'US',
          phoneNumber: US_PHONE,
        })
        .expect(200);
      expect(res.body.member.email).toBe('12015550123@members.example.org');
    } finally {
      await close();
    }
  });

  it('reads the send cooldown from OTP_SEND_COOLDOWN_SECONDS', async () => {
    const { t, close } = await appFromEnvironment(emulator, {
      OTP_MAIL_DOMAIN: 'example.com',
      OTP_SEND_COOLDOWN_SECONDS: '0',
    });
    try {
      const body = { channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE };
      await t.http.post('/auth/otp/send').send(body).expect(200);
      await t.http
        .post('/auth/otp/send')
        .send({ ...body, channel: 'call' })
        .expect(200);
    } finally {
      await close();
    }
  });

  it('moves the routes under another prefix', async () => {
    const t = await createTestApp({ emulator, extras: { routes: { prefix: 'api/v1/auth' } } });
    try {
      await t.http.get('/auth/countries').expect(404);
      await expectWorkingSignIn(t, '/api/v1/auth');
    } finally {
      await t.close();
    }
  });

  it('mounts no routes with routes: false, and the services still work', async () => {
    const t = await createTestApp({ emulator, extras: { routes: false } });
    try {
      await t.http.get('/auth/countries').expect(404);
      await t.http.post('/auth/otp/send').send({}).expect(404);
      expect(t.app.get(CountriesService).getCountries().length).toBeGreaterThan(200);
    } finally {
      await t.close();
    }
  });

  it('exports its entities for hosts that list them by hand', () => {
    expect(OTP_ENTITIES).toEqual([
      Member,
      MemberSession,
      RecoveryCode,
      TotpAuthenticator,
      TrustedDevice,
      Passkey,
      PasskeyChallenge,
    ]);
  });
});

describe('Bad options fail at start-up with a message naming the option', () => {
  const good = () => emulatorOptions(emulator);
  it.each<[string, () => OtpModuleOptions, RegExp]>([
    [
      'an accountSid without AC',
      () => ({ ...good(), twilio: { ...good().twilio!, accountSid: 'XX' + 'a'.repeat(32) } }),
      /"twilio\.accountSid"/,
    ],
    [
      'a verifyServiceSid without VA',
      () => ({ ...good(), twilio: { ...good().twilio!, verifyServiceSid: 'nope' } }),
      /"twilio\.verifyServiceSid"/,
    ],
    [
      'a missing authToken',
      () => ({ ...good(), twilio: { ...good().twilio!, authToken: '' } }),
      /"twilio\.authToken"/,
    ],
    ['no twilio and no provider', () => ({ mailDomain: 'example.com' }), /"twilio"/],
    [
      'a mailDomain that is not a domain',
      () => ({ ...good(), mailDomain: 'not a domain' }),
      /"mailDomain"/,
    ],
    [
      'a missing mailDomain',
      () => ({ ...good(), mailDomain: undefined as unknown as string }),
      /"mailDomain"/,
    ],
    ['an unknown approval', () => ({ ...good(), approval: 'sometimes' as 'manual' }), /"approval"/],
    ['an unknown channel', () => ({ ...good(), channels: ['pigeon' as 'sms'] }), /"channels"/],
    ['an unknown country', () => ({ ...good(), allowedCountries: ['ZZ'] }), /"allowedCountries"/],
    [
      'a negative session lifetime',
      () => ({ ...good(), session: { ttlSeconds: -1 } }),
      /"session\.ttlSeconds"/,
    ],
  ])('%s', async (_label, options, message) => {
    const moduleRef = Test.createTestingModule({
      imports: [testDatabase(), OtpModule.forRoot(options())],
    });
    await expect(moduleRef.compile()).rejects.toThrow(message);
  });

  it('an environment with a malformed OTP_APPROVAL', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      TWILIO_ACCOUNT_SID: emulator.accountSid,
      TWILIO_AUTH_TOKEN: emulator.authToken,
      TWILIO_VERIFY_SERVICE_SID: emulator.serviceSid,
      OTP_MAIL_DOMAIN: 'example.com',
      OTP_APPROVAL: 'maybe',
    });
    try {
      const moduleRef = Test.createTestingModule({
        imports: [
          ConfigModule.forRoot({ ignoreEnvFile: true }),
          testDatabase(),
          OtpModule.forRootAsync(otpConfig.asProvider()),
        ],
      });
      await expect(moduleRef.compile()).rejects.toThrow(/"approval"/);
    } finally {
      process.env = saved;
    }
  });
});
