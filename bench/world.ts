import { TwilioVerifyEmulator } from 'nestjs-otp/testing';

/**
 * The outside world of the bench app, in the runner process: the Twilio Verify emulator, and
 * the codes it "sent", by number.
 */
export class World {
  readonly codes = new Map<string, string>();
  readonly emulator = new TwilioVerifyEmulator({
    onDelivery: (delivery) => this.codes.set(delivery.to, delivery.code),
  });

  async start(): Promise<this> {
    await this.emulator.start();
    return this;
  }

  /** The emulator's options for a bench app. */
  get twilio(): { accountSid: string; authToken: string; serviceSid: string; baseUrl: string } {
    return {
      accountSid: this.emulator.accountSid,
      authToken: this.emulator.authToken,
      serviceSid: this.emulator.serviceSid,
      baseUrl: this.emulator.url,
    };
  }

  /**
   * Forgets every verification, code and send counter (the emulator keeps Twilio's limit of five
   * sends per number per ten minutes, and looks verifications up by scanning them all).
   */
  reset(): void {
    this.emulator.reset();
    this.codes.clear();
  }

  stop(): Promise<void> {
    return this.emulator.stop();
  }
}
