import type { OtpModuleExtras, OtpModuleOptions } from './config/otp-options.interface.js';
import { ConfigurableModuleBuilder } from '@nestjs/common';
import { OTP_EXTRAS_DEFAULTS } from './config/otp-extras-defaults.js';

/**
 * The builder of `OtpModule`: `forRoot` / `forRootAsync` and the options token. The extras are
 * the module's shape (routes, admin guard, data source, global); `OtpModule` applies them.
 */
export const {
  ConfigurableModuleClass: OtpConfigurableModule,
  MODULE_OPTIONS_TOKEN,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<OtpModuleOptions>({ moduleName: 'Otp' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createOtpOptions')
  .setExtras<OtpModuleExtras>(
    { isGlobal: OTP_EXTRAS_DEFAULTS.isGlobal, routes: {}, admin: undefined, dataSource: undefined },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal ?? OTP_EXTRAS_DEFAULTS.isGlobal,
    }),
  )
  .build();
