import type { EmulatorRequest, TwilioVerifyEmulator } from 'nestjs-otp/testing';

/** The verification starts (`POST …/Verifications`) the emulator received, oldest first. */
export function verificationStarts(emulator: TwilioVerifyEmulator): EmulatorRequest[] {
  return emulator
    .requests()
    .filter((r) => r.method === 'POST' && /\/Services\/VA[0-9a-f]+\/Verifications$/i.test(r.path));
}

/** The Lookup v2 queries (`GET /v2/PhoneNumbers/…`) the emulator received, oldest first. */
export function lookups(emulator: TwilioVerifyEmulator): EmulatorRequest[] {
  return emulator.requests().filter((r) => r.path.startsWith('/v2/PhoneNumbers/'));
}
