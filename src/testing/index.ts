export { TwilioVerifyEmulator } from './twilio-verify-emulator.js';
export type {
  EmulatorDelivery,
  EmulatorFault,
  EmulatorRequest,
  FaultOptions,
  TwilioVerifyEmulatorOptions,
} from './emulator.types.js';
