import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OtpModuleOptions } from 'nestjs-otp';
import type { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { createSampleApp, sqliteDatabase } from '../../../sample-app/src/sample-app.js';
import { LogCapture } from '../../support/log-capture.js';

export interface RunningSample {
  /** `http://127.0.0.1:<port>` */
  url: string;
  emulator: TwilioVerifyEmulator;
  logs: LogCapture;
  close(): Promise<void>;
}

/**
 * The sample app in-process, in development mode (its own Twilio Verify emulator), on a free
 * port of 127.0.0.1, with its own SQLite file: `DATABASE_URL` is ignored, so the suite runs the
 * same in the SQLite and the PostgreSQL passes.
 */
export async function startSample(
  options: { env?: Record<string, string | undefined>; otp?: Partial<OtpModuleOptions> } = {},
): Promise<RunningSample> {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-otp-sample-'));
  const logs = new LogCapture();
  const sample = await createSampleApp({
    env: {
      TWILIO_ACCOUNT_SID: undefined,
      TWILIO_AUTH_TOKEN: undefined,
      TWILIO_VERIFY_SERVICE_SID: undefined,
      TWILIO_VERIFY_BASE_URL: undefined,
      OTP_APPROVAL: undefined,
      SAMPLE_ADMIN_TOKEN: undefined,
      ...options.env,
    },
    database: sqliteDatabase(join(dir, 'sample.sqlite')),
    otp: options.otp,
    logger: logs,
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  await sample.app.listen(0, '127.0.0.1');
  return {
    url: await sample.app.getUrl(),
    emulator: sample.emulator!,
    logs,
    async close() {
      await sample.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The code the emulator sent to `e164`, waiting for it when it goes out in the background. */
export async function codeFor(
  emulator: TwilioVerifyEmulator,
  e164: string,
  sentBefore = 0,
): Promise<string> {
  for (let waited = 0; waited < 5_000; waited += 25) {
    const deliveries = emulator.deliveries(e164);
    if (deliveries.length > sentBefore) return deliveries.at(-1)!.code;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no code was sent to ${e164}`);
}
