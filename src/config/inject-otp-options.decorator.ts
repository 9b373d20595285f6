import { Inject } from '@nestjs/common';
import { MODULE_OPTIONS_TOKEN } from '../otp.module-definition.js';

/** Injects the options given to `OtpModule.forRoot()` / `forRootAsync()`. */
export const InjectOtpOptions = (): PropertyDecorator & ParameterDecorator =>
  Inject(MODULE_OPTIONS_TOKEN);
