import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { createSampleApp, type SampleAppOptions } from '../../../sample-app/src/sample-app.js';
import { LogCapture } from '../../support/log-capture.js';

export interface StartedSample {
  /** `http://127.0.0.1:<port>` */
  url: string;
  app: NestExpressApplication;
  /** The sample's own Twilio Verify emulator; none when Twilio credentials were given. */
  emulator?: TwilioVerifyEmulator;
  /** Everything the sample logged. */
  logs: LogCapture;
  /** The sample's data folder, in a temporary directory (the sample creates it). */
  dataDir: string;
  close(): Promise<void>;
}

/** A sample in development mode, with its emulator. */
export interface RunningSample extends StartedSample {
  emulator: TwilioVerifyEmulator;
}

/** What a suite may set of the sample: variables, module options, the port of 127.0.0.1. */
export type SampleServerOptions = Pick<SampleAppOptions, 'env' | 'otp'> & {
  /** The port to listen on; by default a free one. */
  port?: number;
};

/** A port of 127.0.0.1 that is free now, for a sample that must know its port before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The sample app as `npm run sample` starts it, but in-process, on a free port of 127.0.0.1 and
 * with its SQLite file in a temporary data folder: `DATABASE_URL` is ignored, so the suites run
 * the same in the SQLite and the PostgreSQL passes.
 */
export async function startSampleApp(options: SampleServerOptions = {}): Promise<StartedSample> {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-otp-sample-'));
  const dataDir = join(dir, 'data');
  const logs = new LogCapture();
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    const sample = await createSampleApp({
      env: {
        DATABASE_URL: undefined,
        SAMPLE_DATA_DIR: dataDir,
        OTP_APPROVAL: undefined,
        SAMPLE_ADMIN_TOKEN: undefined,
        ...options.env,
      },
      otp: options.otp,
      logger: logs,
    });
    const close = async () => {
      await sample.close();
      removeDir();
    };
    try {
      await sample.app.listen(options.port ?? 0, '127.0.0.1');
      const url = await sample.app.getUrl();
      return { url, app: sample.app, emulator: sample.emulator, logs, dataDir, close };
    } catch (error) {
      await close();
      throw error;
    }
  } catch (error) {
    removeDir();
    throw error;
  }
}

/** {@link startSampleApp} without Twilio credentials: development mode, with its emulator. */
export async function startSample(options: SampleServerOptions = {}): Promise<RunningSample> {
  const started = await startSampleApp({
    ...options,
    env: {
      TWILIO_ACCOUNT_SID: undefined,
      TWILIO_AUTH_TOKEN: undefined,
      TWILIO_VERIFY_SERVICE_SID: undefined,
      TWILIO_VERIFY_BASE_URL: undefined,
      ...options.env,
    },
  });
  const { emulator } = started;
  if (!emulator) {
    await started.close();
    throw new Error('the sample started without its Twilio Verify emulator');
  }
  return { ...started, emulator };
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
