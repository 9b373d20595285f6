import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { getDataSourceToken, getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import { flaggedRoutes } from './http/error-flag.js';
import { OTP_DEFAULTS } from './config/otp-defaults.js';
import {
  OTP_DATA_SOURCE,
  OTP_FLAGGED_ROUTES,
  OTP_MEMBER_REPOSITORY,
  OTP_RECOVERY_CODE_REPOSITORY,
  OTP_ROUTE_PREFIX,
  OTP_SESSION_REPOSITORY,
  OTP_TOTP_REPOSITORY,
  OTP_TRUSTED_DEVICE_REPOSITORY,
  OTP_PASSKEY_REPOSITORY,
  OTP_PASSKEY_CHALLENGE_REPOSITORY,
} from './otp-internal.constants.js';
import type { OtpModuleExtras } from './config/otp-options.interface.js';
import { AccountController, SessionVerificationController } from './account/account.controller.js';
import { RecoveryCode } from './credentials/recovery-code.entity.js';
import { RecoveryController } from './passwordless/recovery.controller.js';
import { TotpAuthenticator } from './credentials/totp-authenticator.entity.js';
import { TotpController } from './credentials/totp.controller.js';
import { TrustedDevicesController } from './credentials/devices.controller.js';
import { PasskeyLoginController } from './credentials/passkeys/passkey-login.controller.js';
import { PasskeysController } from './credentials/passkeys/passkeys.controller.js';
import { TrustedDevice } from './credentials/trusted-device.entity.js';
import { Passkey } from './credentials/passkeys/passkey.entity.js';
import { PasskeyChallenge } from './credentials/passkeys/passkey-challenge.entity.js';
import { Member } from './members/member.entity.js';
import { MemberSession } from './sessions/member-session.entity.js';
import { OTP_ENTITIES } from './otp.entities.js';
import { OtpController } from './passwordless/otp.controller.js';
import { CountriesController } from './phone/countries.controller.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { createAdminController } from './admin/admin.controller.js';
import {
  TwoFactorController,
  TwoFactorRegistrationController,
} from './two-factor/two-factor.controller.js';

const ROUTE_PREFIX = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;

/**
 * The entities registered on the data source the extras name (the default one unless
 * `dataSource` is given), and that data source and its repositories under the module's tokens.
 */
function withDataSource(definition: DynamicModule, extras: OtpModuleExtras): DynamicModule {
  const { dataSource } = extras;
  const valid =
    dataSource === undefined ||
    (typeof dataSource === 'string' ? dataSource !== '' : typeof dataSource === 'object');
  if (!valid || dataSource === null) {
    throw new Error(
      'OtpModule: option "dataSource" must be the name of a TypeORM data source, its options or the DataSource',
    );
  }
  return {
    ...definition,
    imports: [...(definition.imports ?? []), TypeOrmModule.forFeature(OTP_ENTITIES, dataSource)],
    providers: [
      ...(definition.providers ?? []),
      { provide: OTP_DATA_SOURCE, useExisting: getDataSourceToken(dataSource) },
      { provide: OTP_MEMBER_REPOSITORY, useExisting: getRepositoryToken(Member, dataSource) },
      {
        provide: OTP_SESSION_REPOSITORY,
        useExisting: getRepositoryToken(MemberSession, dataSource),
      },
      {
        provide: OTP_RECOVERY_CODE_REPOSITORY,
        useExisting: getRepositoryToken(RecoveryCode, dataSource),
      },
      {
        provide: OTP_TOTP_REPOSITORY,
        useExisting: getRepositoryToken(TotpAuthenticator, dataSource),
      },
      {
        provide: OTP_TRUSTED_DEVICE_REPOSITORY,
        useExisting: getRepositoryToken(TrustedDevice, dataSource),
      },
      { provide: OTP_PASSKEY_REPOSITORY, useExisting: getRepositoryToken(Passkey, dataSource) },
      {
        provide: OTP_PASSKEY_CHALLENGE_REPOSITORY,
        useExisting: getRepositoryToken(PasskeyChallenge, dataSource),
      },
    ],
  };
}

/** Data source, controllers and route prefix: the module's shape, decided by the extras alone. */
export function applyOtpExtras(definition: DynamicModule, extras: OtpModuleExtras): DynamicModule {
  const shaped = withDataSource(definition, extras);
  if (extras.routes === false) {
    return {
      ...shaped,
      providers: [
        ...(shaped.providers ?? []),
        { provide: OTP_ROUTE_PREFIX, useValue: false },
        { provide: OTP_FLAGGED_ROUTES, useValue: [] },
      ],
    };
  }
  const prefix = (extras.routes?.prefix ?? OTP_DEFAULTS.routes.prefix).replace(/^\/+|\/+$/g, '');
  if (prefix !== '' && !ROUTE_PREFIX.test(prefix)) {
    throw new Error(`OtpModule: option "routes.prefix" must be a URL path such as "auth"`);
  }
  const controllers: Type[] = [
    CountriesController,
    OtpController,
    RecoveryController,
    SessionsController,
    SessionVerificationController,
    AccountController,
    TotpController,
    TrustedDevicesController,
    PasskeysController,
    PasskeyLoginController,
    TwoFactorRegistrationController,
    TwoFactorController,
  ];
  if (extras.admin !== undefined) {
    if (typeof extras.admin?.guard !== 'function') {
      throw new Error('OtpModule: option "admin.guard" must be a guard class');
    }
    controllers.push(createAdminController(extras.admin.guard));
  }
  const providers: Provider[] = [
    ...(shaped.providers ?? []),
    { provide: OTP_ROUTE_PREFIX, useValue: prefix },
    { provide: OTP_FLAGGED_ROUTES, useValue: flaggedRoutes(controllers) },
  ];
  const imports = [...(shaped.imports ?? [])];
  if (prefix !== '')
    imports.push(RouterModule.register([{ path: prefix, module: definition.module }]));
  return {
    ...shaped,
    imports,
    providers,
    controllers: [...(definition.controllers ?? []), ...controllers],
  };
}
