import { RecoveryCode } from './credentials/recovery-code.entity.js';
import { TotpAuthenticator } from './credentials/totp-authenticator.entity.js';
import { TrustedDevice } from './credentials/trusted-device.entity.js';
import { PasskeyChallenge } from './credentials/passkeys/passkey-challenge.entity.js';
import { Passkey } from './credentials/passkeys/passkey.entity.js';
import { Member } from './members/member.entity.js';
import { MemberSession } from './sessions/member-session.entity.js';

/** Every TypeORM entity of the module, for hosts that list entities by hand. */
export const OTP_ENTITIES = [
  Member,
  MemberSession,
  RecoveryCode,
  TotpAuthenticator,
  TrustedDevice,
  Passkey,
  PasskeyChallenge,
];
