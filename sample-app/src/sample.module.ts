import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { APP_FILTER } from '@nestjs/core';
import { OtpGlobalExceptionFilter, OtpModule, type OtpModuleOptions, otpConfig } from 'nestjs-otp';
import { AdminTokenGuard } from './admin-token.guard.js';
import { AuthenticatorStatusController } from './authenticator-status.controller.js';
import { MembersAreaController } from './members-area.controller.js';
import { MembersPageController } from './members-page.controller.js';
import { SampleInfoController } from './sample-info.controller.js';
import { SampleSettings } from './sample-settings.js';

export interface SampleModuleOptions {
  database: TypeOrmModuleOptions;
  settings: SampleSettings;
  /** Options laid over those read from the environment (tests shorten limits with it). */
  otp?: Partial<OtpModuleOptions>;
}

/**
 * The sample app: the module configured from the environment, its own pages and routes behind
 * `SessionGuard`, and the admin routes behind `AdminTokenGuard` when `SAMPLE_ADMIN_TOKEN` is set.
 * Global, so that `AdminTokenGuard` finds `SampleSettings` from inside `OtpModule`.
 */
@Module({})
export class SampleModule {
  static forRoot({ database, settings, otp }: SampleModuleOptions): DynamicModule {
    const fromEnv = otpConfig.asProvider();
    return {
      module: SampleModule,
      global: true,
      imports: [
        // The process environment only: the Twilio check runs before Nest starts.
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
        TypeOrmModule.forRoot(database),
        OtpModule.forRootAsync({
          ...fromEnv,
          ...(otp && {
            useFactory: (options: OtpModuleOptions) => ({ ...options, ...otp }),
          }),
          isGlobal: true,
          ...(settings.adminEnabled && { admin: { guard: AdminTokenGuard } }),
        }),
      ],
      controllers: [
        AuthenticatorStatusController,
        MembersAreaController,
        MembersPageController,
        SampleInfoController,
      ],
      providers: [
        { provide: SampleSettings, useValue: settings },
        // Bodies Nest refuses before a route runs (malformed JSON) get the module's error body too.
        { provide: APP_FILTER, useClass: OtpGlobalExceptionFilter },
      ],
      exports: [SampleSettings],
    };
  }
}
