/**
 * Compiled only: the typings of both entry points resolve in this host (a misuse is an error,
 * which it would not be if they fell back to `any`).
 */
import { OtpModule } from 'nestjs-otp';
import type { TwilioVerifyEmulator } from 'nestjs-otp/testing';

export function misuses(emulator: TwilioVerifyEmulator): unknown[] {
  return [
    // @ts-expect-error: mailDomain is a string
    OtpModule.forRoot({ mailDomain: 42 }),
    // @ts-expect-error: lastCode takes the phone number as a string
    emulator.lastCode(12015550123),
  ];
}
