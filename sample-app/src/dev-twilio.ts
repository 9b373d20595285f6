import type { LoggerService } from '@nestjs/common';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';

const TWILIO_VARIABLES = [
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_VERIFY_SERVICE_SID',
] as const;

/**
 * With Twilio credentials in the environment the sample talks to the real Twilio and this does
 * nothing. Without them it starts the Twilio Verify emulator in-process (development only),
 * points the module's environment at it and prints each code it would have sent: the one place
 * where a code is ever logged. In production it refuses to start without credentials.
 */
export async function startDevTwilio(
  env: NodeJS.ProcessEnv,
  logger: LoggerService,
): Promise<TwilioVerifyEmulator | undefined> {
  if (TWILIO_VARIABLES.some((name) => env[name])) return undefined;
  if (env.NODE_ENV === 'production') {
    throw new Error(
      `${TWILIO_VARIABLES.join(', ')} are required in production (NODE_ENV=production)`,
    );
  }
  const context = 'TwilioVerifyEmulator';
  const emulator = await new TwilioVerifyEmulator({
    onDelivery: (delivery) =>
      logger.warn(
        `DEVELOPMENT MODE: code ${delivery.code} "sent" by ${delivery.channel === 'call' ? 'phone call' : 'SMS'} to the number ending ${delivery.to.slice(-4)}`,
        context,
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
      '*  Codes go to an in-process Twilio Verify emulator and are     *',
      '*  printed in this log. Nothing is sent to any phone.           *',
      '*****************************************************************',
    ].join('\n'),
    context,
  );
  return emulator;
}
