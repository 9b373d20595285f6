import { Logger } from '@nestjs/common';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';

/**
 * With Twilio credentials in the environment the sample talks to the real Twilio. Without them it
 * starts the Twilio Verify emulator in-process (development only) and prints each code it would
 * have sent. In production it refuses to start without credentials.
 */
export async function ensureTwilio(env = process.env): Promise<TwilioVerifyEmulator | undefined> {
  if (env.TWILIO_ACCOUNT_SID || env.TWILIO_AUTH_TOKEN || env.TWILIO_VERIFY_SERVICE_SID) {
    return undefined;
  }
  if (env.NODE_ENV === 'production') {
    throw new Error(
      'TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_VERIFY_SERVICE_SID are required in production',
    );
  }
  const logger = new Logger('TwilioVerifyEmulator');
  const emulator = await new TwilioVerifyEmulator({
    onDelivery: (delivery) =>
      logger.warn(
        `DEVELOPMENT MODE: code ${delivery.code} "sent" by ${delivery.channel} to the number ending ${delivery.to.slice(-4)}`,
      ),
  }).start();
  Object.assign(env, {
    TWILIO_ACCOUNT_SID: emulator.accountSid,
    TWILIO_AUTH_TOKEN: emulator.authToken,
    TWILIO_VERIFY_SERVICE_SID: emulator.serviceSid,
    TWILIO_VERIFY_BASE_URL: emulator.url,
  });
  logger.warn(
    [
      '',
      '*****************************************************************',
      '*  DEVELOPMENT MODE: no Twilio credentials are set.             *',
      '*  Codes go to an in-process Twilio Verify emulator and are      *',
      '*  printed in this log. Nothing is sent to any phone.            *',
      '*****************************************************************',
    ].join('\n'),
  );
  return emulator;
}
