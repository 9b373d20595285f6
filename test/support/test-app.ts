import {
  type ModuleMetadata,
  Controller,
  type DynamicModule,
  Get,
  HttpCode,
  Post,
  type INestApplication,
  Req,
  UseGuards,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  CurrentMember,
  type MemberView,
  MemoryRateLimitStorage,
  OtpGlobalExceptionFilter,
  OtpModule,
  type OtpModuleExtras,
  RequireRecentVerification,
  type OtpModuleOptions,
  SessionGuard,
} from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { testDatabase } from './database.js';
import { LogCapture } from './log-capture.js';

export { testDatabase };

/** A host app's own routes, protected by the module's guard and by its passport strategy. */
@Controller('members-only')
export class MembersOnlyController {
  @UseGuards(SessionGuard)
  @Get()
  get(@CurrentMember() member: MemberView): { member: MemberView } {
    return { member };
  }

  /** A host's own sensitive route: a code checked in the last 5 minutes. */
  @UseGuards(SessionGuard)
  @RequireRecentVerification(300)
  @Post('sensitive')
  @HttpCode(200)
  sensitive(@CurrentMember('id') memberId: string): { memberId: string } {
    return { memberId };
  }

  @UseGuards(AuthGuard('otp-session'))
  @Get('passport')
  passport(@Req() request: { user: MemberView }): { member: MemberView } {
    return { member: request.user };
  }
}

export interface TestAppOptions {
  /** Options merged over the defaults (emulator credentials, `example.com`). */
  otp?: Partial<OtpModuleOptions>;
  extras?: OtpModuleExtras;
  /** Replaces `OtpModule.forRoot(...)` entirely (for forRootAsync tests). */
  otpModule?: (emulator: TwilioVerifyEmulator) => DynamicModule;
  emulator?: TwilioVerifyEmulator;
  imports?: NonNullable<ModuleMetadata['imports']>;
  /** Replaces the test database (e.g. one file shared by two app instances). */
  database?: DynamicModule;
  providers?: NonNullable<Parameters<typeof Test.createTestingModule>[0]['providers']>;
}

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  emulator: TwilioVerifyEmulator;
  logs: LogCapture;
  dataSource: DataSource;
  close(): Promise<void>;
}

/** The emulator's credentials as module options. */
export function emulatorOptions(emulator: TwilioVerifyEmulator): OtpModuleOptions {
  return {
    // The default limits, counted on the emulator's clock so that advanceTime() moves them too.
    rateLimit: { storage: new MemoryRateLimitStorage(() => emulator.now()) },
    twilio: {
      accountSid: emulator.accountSid,
      authToken: emulator.authToken,
      verifyServiceSid: emulator.serviceSid,
      baseUrl: emulator.url,
      timeoutMs: 1_000,
    },
    mailDomain: 'phone.example.org',
  };
}

/**
 * The emulator's options with `overrides` on top; limits given without a storage keep counting
 * on the emulator's clock.
 */
function withTestOptions(
  emulator: TwilioVerifyEmulator,
  overrides: Partial<OtpModuleOptions> = {},
): OtpModuleOptions {
  const base = emulatorOptions(emulator);
  const rateLimit =
    overrides.rateLimit && !overrides.rateLimit.storage
      ? { ...base.rateLimit, ...overrides.rateLimit }
      : (overrides.rateLimit ?? base.rateLimit);
  return { ...base, ...overrides, rateLimit };
}

/** A Nest app with the module, a real SQLite database and a Twilio Verify emulator. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownEmulator = !options.emulator;
  const emulator = options.emulator ?? (await new TwilioVerifyEmulator().start());
  const logs = new LogCapture();
  let app: INestApplication;
  try {
    const otpModule =
      options.otpModule?.(emulator) ??
      OtpModule.forRoot({ ...withTestOptions(emulator, options.otp), ...options.extras });
    const moduleRef = await Test.createTestingModule({
      imports: [options.database ?? testDatabase(), otpModule, ...(options.imports ?? [])],
      controllers: [MembersOnlyController],
      providers: [
        { provide: APP_FILTER, useClass: OtpGlobalExceptionFilter },
        ...(options.providers ?? []),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: logs });
    await app.init();
  } catch (error) {
    if (ownEmulator) await emulator.stop();
    throw error;
  }
  return {
    app,
    http: request(app.getHttpServer()),
    emulator,
    logs,
    dataSource: app.get(DataSource),
    async close() {
      await app.close();
      if (ownEmulator) await emulator.stop();
    },
  };
}

/** A valid US number for tests, as a person would type it. */
export const US_PHONE = '(201) 555-0123';
export const US_E164 = '+12015550123';
