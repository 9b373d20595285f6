import { ConsoleLogger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { NextFunction, Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OtpModuleOptions, otpOptionsFromEnv, type PasskeysOptions } from 'nestjs-otp';
import { OTP_MIGRATIONS } from 'nestjs-otp/migrations';
import type { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { startDevTwilio } from './dev-twilio.js';
import { SampleModule } from './sample.module.js';
import { DEFAULT_SITE_NAME, SampleSettings } from './sample-settings.js';

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `uqr`'s ES module, served to the page as one static file: it draws QR codes as SVG. */
const QR_MODULE = join(dirname(createRequire(import.meta.url).resolve('uqr')), 'index.mjs');

/**
 * libphonenumber-js for the page's phone fields (formatting as typed, example numbers, the
 * national format), as one ES module: its browser bundle with mobile metadata, which is a UMD
 * script, given an `exports` object to fill, and its example mobile numbers.
 */
export function phoneModule(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('libphonenumber-js/package.json'));
  const bundle = readFileSync(join(root, 'bundle', 'libphonenumber-mobile.js'), 'utf8').replace(
    /\n\/\/# sourceMappingURL=.*$/m,
    '',
  );
  const examples = readFileSync(join(root, 'examples.mobile.json'), 'utf8');
  return [
    'const exports = {};',
    'const module = { exports };',
    bundle,
    'export const { AsYouType, getExampleNumber, parsePhoneNumberFromString } = exports;',
    `export const examples = ${examples.trim()};`,
    '',
  ].join('\n');
}

/**
 * `@simplewebauthn/browser` for the page's passkeys, as one ES module: its browser bundle, a UMD
 * script, given an `exports` object to fill.
 */
export function webAuthnModule(): string {
  // The package exports its entry points only: the bundle is beside them, under dist/.
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  const root = join(dirname(entry), '..');
  const bundle = readFileSync(join(root, 'dist', 'bundle', 'index.umd.min.js'), 'utf8').replace(
    /\n\/\/# sourceMappingURL=.*$/m,
    '',
  );
  return [
    'const exports = {};',
    'const module = { exports };',
    bundle,
    'export const {',
    '  WebAuthnAbortService,',
    '  WebAuthnError,',
    '  browserSupportsWebAuthn,',
    '  browserSupportsWebAuthnAutofill,',
    '  platformAuthenticatorIsAvailable,',
    '  startAuthentication,',
    '  startRegistration,',
    '} = exports;',
    '',
  ].join('\n');
}

/**
 * The sample's passkeys: bound to `localhost` (WebAuthn refuses an IP address as the domain a
 * passkey belongs to, so not to 127.0.0.1), on `http://localhost:<PORT>`. `SAMPLE_PASSKEY_RP_ID`
 * names another domain (its page then on `https://<domain>`), `SAMPLE_PASSKEY_ORIGINS` the
 * origins, comma-separated, when they are others.
 */
export function samplePasskeys(env: NodeJS.ProcessEnv): PasskeysOptions {
  const rpId = env.SAMPLE_PASSKEY_RP_ID?.trim() || 'localhost';
  const origins = env.SAMPLE_PASSKEY_ORIGINS?.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  return {
    rpId,
    rpName: (env.SAMPLE_SITE_NAME?.trim() || DEFAULT_SITE_NAME).slice(0, 64),
    origins: origins?.length
      ? origins
      : rpId === 'localhost'
        ? [`http://localhost:${env.PORT || 3000}`]
        : [`https://${rpId}`],
  };
}

export interface SampleAppOptions {
  /** Variables laid over `process.env` while the app runs (`undefined` removes one). */
  env?: Record<string, string | undefined>;
  /** The TypeORM connection; by default from the environment (see {@link databaseFromEnv}). */
  database?: TypeOrmModuleOptions;
  /** Module options laid over those read from the environment. */
  otp?: Partial<OtpModuleOptions>;
  logger?: LoggerService;
}

export interface SampleApp {
  app: NestExpressApplication;
  /** The in-process Twilio Verify emulator, in development mode (no Twilio credentials). */
  emulator?: TwilioVerifyEmulator;
  /** Closes the app and the emulator, and puts `process.env` back as it was. */
  close(): Promise<void>;
}

/** The module's tables come from its migrations, as in a host that does not synchronize. */
const SCHEMA = {
  autoLoadEntities: true,
  synchronize: false,
  migrations: OTP_MIGRATIONS,
  migrationsRun: true,
} as const;

/**
 * SQLite in `sample-app/data/` (or `SAMPLE_DATA_DIR`), created with its tables on first start;
 * PostgreSQL when `DATABASE_URL` is set.
 */
export function databaseFromEnv(env: NodeJS.ProcessEnv): TypeOrmModuleOptions {
  if (env.DATABASE_URL) return { type: 'postgres', url: env.DATABASE_URL, ...SCHEMA };
  const dataDir = sampleDataDir(env);
  return {
    type: 'better-sqlite3',
    database: join(dataDir, 'sample.sqlite'),
    // One disk sync per write at most, and readers never wait for writers.
    enableWAL: true,
    ...SCHEMA,
  };
}

/** `sample-app/data/` or `SAMPLE_DATA_DIR`, created when missing. */
function sampleDataDir(env: NodeJS.ProcessEnv): string {
  const dataDir = env.SAMPLE_DATA_DIR || join(APP_DIR, 'data');
  mkdirSync(dataDir, { recursive: true });
  return dataDir;
}

/**
 * The key authenticator-app secrets are encrypted with, when `OTP_TOTP_ENCRYPTION_KEY` is not
 * set: 32 random bytes made on first start and kept, base64, in `totp-encryption.key` of the data
 * folder (readable by its owner only), so that the apps set up keep working after a restart.
 */
export function sampleTotpKey(env: NodeJS.ProcessEnv): string {
  const file = join(sampleDataDir(env), 'totp-encryption.key');
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    chmodSync(file, 0o600);
  }
  return readFileSync(file, 'utf8').trim();
}

/** The sample's defaults for the module's variables, where they are not set. */
function applyDefaults(env: NodeJS.ProcessEnv): void {
  env.OTP_MAIL_DOMAIN ||= 'members.example.com';
  // Authenticator apps are on, with a key of the sample's own unless one is given.
  env.OTP_TOTP_ENCRYPTION_KEY ||= sampleTotpKey(env);
  // The page keeps the session in the module's HttpOnly cookie, never in script-readable storage.
  env.OTP_SESSION_COOKIE ||= 'true';
  // Plain http on localhost in development; the module's default (Secure) in production.
  if (env.NODE_ENV !== 'production') env.OTP_SESSION_COOKIE_SECURE ||= 'false';
}

function snapshotEnv(env: NodeJS.ProcessEnv): () => void {
  const saved = { ...env };
  return () => {
    for (const key of Object.keys(env)) if (!(key in saved)) delete env[key];
    Object.assign(env, saved);
  };
}

/** Strict headers for the page and the API; Swagger UI keeps its own. */
function securityHeaders(request: Request, response: Response, next: NextFunction): void {
  if (!request.path.startsWith('/docs')) {
    response.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
  }
  next();
}

function openApiDocument(app: NestExpressApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('nestjs-otp sample')
      .setDescription(
        'Phone-verified sign-in through Twilio Verify. The session travels as the HttpOnly cookie ' +
          '`otp_session` (or `Authorization: Bearer`); a state-changing request signed in by the ' +
          'cookie must carry an `X-Requested-With` header. Error bodies are ' +
          '`{ statusCode, error, code, message }`.',
      )
      .setVersion('1')
      .addCookieAuth('otp_session')
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Admin-Token' }, 'admin-token')
      .build(),
  );
  for (const [path, operations] of Object.entries(document.paths)) {
    if (!path.startsWith('/auth/admin/')) continue;
    for (const operation of Object.values(operations)) {
      if (typeof operation === 'object' && operation && 'responses' in operation) {
        operation.security = [{ 'admin-token': [] }];
      }
    }
  }
  return document;
}

/**
 * Creates the sample app, initialised but not listening: `main.ts` listens on `HOST`/`PORT`,
 * the browser tests on a free port.
 */
export async function createSampleApp(options: SampleAppOptions = {}): Promise<SampleApp> {
  const env = process.env;
  const restoreEnv = snapshotEnv(env);
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  applyDefaults(env);
  const logger = options.logger ?? new ConsoleLogger();
  let emulator: TwilioVerifyEmulator | undefined;
  let app: NestExpressApplication | undefined;
  try {
    emulator = await startDevTwilio(env, logger);
    const otp: Partial<OtpModuleOptions> = { passkeys: samplePasskeys(env), ...options.otp };
    const settings = SampleSettings.fromEnv(env, emulator !== undefined, {
      ...otpOptionsFromEnv(env),
      ...otp,
    });
    app = await NestFactory.create<NestExpressApplication>(
      SampleModule.forRoot({
        database: options.database ?? databaseFromEnv(env),
        settings,
        otp,
      }),
      { logger, abortOnError: false },
    );
    app.disable('x-powered-by');
    app.use(securityHeaders);
    app.useStaticAssets(join(APP_DIR, 'public'));
    app.use('/vendor/uqr.mjs', (request: Request, response: Response, next: NextFunction) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') return next();
      response.type('text/javascript').sendFile(QR_MODULE);
    });
    const phone = phoneModule();
    app.use(
      '/vendor/libphonenumber.mjs',
      (request: Request, response: Response, next: NextFunction) => {
        if (request.method !== 'GET' && request.method !== 'HEAD') return next();
        response.type('text/javascript').send(phone);
      },
    );
    const webAuthn = webAuthnModule();
    app.use(
      '/vendor/simplewebauthn.mjs',
      (request: Request, response: Response, next: NextFunction) => {
        if (request.method !== 'GET' && request.method !== 'HEAD') return next();
        response.type('text/javascript').send(webAuthn);
      },
    );
    SwaggerModule.setup('docs', app, openApiDocument(app));
    await app.init();
  } catch (error) {
    await app?.close();
    await emulator?.stop();
    restoreEnv();
    throw error;
  }
  const started = app;
  return {
    app: started,
    emulator,
    async close() {
      await started.close();
      await emulator?.stop();
      restoreEnv();
    },
  };
}
