export { TwilioVerifyEmulator } from './twilio-verify-emulator.js';
export type {
  EmulatorDelivery,
  EmulatorFault,
  EmulatorRequest,
  FaultOptions,
  LineType,
  TwilioVerifyEmulatorOptions,
} from './emulator.types.js';
