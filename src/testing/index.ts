export { TwilioVerifyEmulator } from './twilio-verify-emulator.js';
export type {
  EmulatorDelivery,
  EmulatorFault,
  EmulatorRequest,
  FaultOptions,
  LineType,
  TwilioVerifyEmulatorOptions,
} from './emulator.types.js';
export { SoftwareAuthenticator } from './software-authenticator.js';
export type {
  SoftwareAuthenticatorOptions,
  SoftwareAuthenticatorOverrides,
  SoftwareCredential,
  SoftwareRegistrationOverrides,
} from './software-authenticator.js';
