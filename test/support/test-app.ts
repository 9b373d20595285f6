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
  Member,
  type MemberView,
  type OtpEventName,
  type OtpEventPayload,
  OtpEventsService,
  OtpGlobalExceptionFilter,
  OtpModule,
  type OtpModuleExtras,
  RequireRecentVerification,
  type OtpModuleOptions,
  SessionGuard,
  SessionsService,
} from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { BackgroundTasksService } from '../../src/persistence/background-tasks.service.js';
import { emptyTables, testDatabase } from './database.js';
import { LogCapture } from './log-capture.js';
import { TestRateLimitStorage } from './rate-limit-storage.js';

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
  /** Calls `listener` for every `event` of the module until the next `reset()`. */
  on(event: OtpEventName, listener: (payload: OtpEventPayload) => void): void;
  /**
   * Makes the app as good as new for the next test, so that one app can serve every test of a
   * file (`beforeAll`) with `beforeEach(() => t.reset())`: waits for the work still running in the
   * background, forgets the cached sessions of every member, empties the module's tables, forgets
   * every rate-limit count (of the app's own storage: one given in the options is the test's to
   * clear), resets the app's own emulator (codes, requests, faults, Lookup answers, its clock),
   * removes the listeners added by `on()`, forgets the captured logs and takes Nest's logger back
   * from any app created since.
   */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The emulator's credentials as module options. */
export function emulatorOptions(
  emulator: TwilioVerifyEmulator,
  storage = new TestRateLimitStorage(() => emulator.now()),
): OtpModuleOptions {
  return {
    // The default limits, counted on the emulator's clock so that advanceTime() moves them too.
    rateLimit: { storage },
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
  storage: TestRateLimitStorage,
  overrides: Partial<OtpModuleOptions> = {},
): OtpModuleOptions {
  const base = emulatorOptions(emulator, storage);
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
  const storage = new TestRateLimitStorage(() => emulator.now());
  let app: INestApplication;
  try {
    const otpModule =
      options.otpModule?.(emulator) ??
      OtpModule.forRoot({ ...withTestOptions(emulator, storage, options.otp), ...options.extras });
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
  return testAppOf(app, { emulator, logs, storage, ownEmulator });
}

/** What `testAppOf()` needs beside the app. */
export interface TestAppParts {
  emulator: TwilioVerifyEmulator;
  logs: LogCapture;
  /** The rate-limit storage the app counts in, which `reset()` empties. */
  storage: TestRateLimitStorage;
  /** Whether the emulator is the app's own, reset by `reset()` and stopped by `close()`. */
  ownEmulator: boolean;
}

/**
 * The `TestApp` of an app that is started (`init()`), made by `createTestApp()` or by hand (on
 * Fastify, on a database file of the test's).
 */
export function testAppOf(
  app: INestApplication,
  { emulator, logs, storage, ownEmulator }: TestAppParts,
): TestApp {
  const dataSource = app.get(DataSource);
  const events = app.get(OtpEventsService);
  const listeners: [OtpEventName, (payload: OtpEventPayload) => void][] = [];
  return {
    app,
    http: request(app.getHttpServer()),
    emulator,
    logs,
    dataSource,
    on(event, listener) {
      events.on(event, listener);
      listeners.push([event, listener]);
    },
    async reset() {
      // Nothing may still be writing (a password-reset code goes out after the answer).
      await app.get(BackgroundTasksService).drain();
      const sessions = app.get(SessionsService);
      await sessions.flushTouches();
      const members = await dataSource.getRepository(Member).find({ select: { id: true } });
      for (const { id } of members) sessions.forgetMember(id);
      await emptyTables(dataSource);
      storage.reset();
      if (ownEmulator) emulator.reset();
      for (const [event, listener] of listeners.splice(0)) events.off(event, listener);
      logs.lines.length = 0;
      // Nest's loggers write to the app created last: an app a test made meanwhile took them.
      app.useLogger(logs);
    },
    async close() {
      await app.close();
      if (ownEmulator) await emulator.stop();
    },
  };
}

/** A valid US number for tests, as a person would type it. */
export const US_PHONE = '(201) 555-0123';
export const US_E164 = '+12015550123';
