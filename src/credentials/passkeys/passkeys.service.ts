import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import type { ResolvedOtpOptions } from '../../config/resolved-otp-options.interface.js';
import { OtpErrorCode } from '../../errors/otp-error-code.js';
import { OtpException } from '../../errors/otp.exception.js';
import { OtpEvent } from '../../events/otp-events.js';
import { OtpEventsService } from '../../events/otp-events.service.js';
import { sanitizeForLog } from '../../events/log.util.js';
import { RESOLVED_OTP_OPTIONS } from '../../otp-internal.constants.js';
import { isUniqueViolation } from '../../persistence/sql.js';
import { MemberAccountsService } from '../member-accounts.service.js';
import type { PasskeyCeremony } from './passkey-challenge.entity.js';
import type { Passkey } from './passkey.entity.js';
import { asAuthenticationResponse, asRegistrationResponse } from './passkey-response.js';
import type { ResolvedPasskeysOptions } from './passkeys.options.js';
import { PasskeysRepository } from './passkeys.repository.js';

/** A passkey as listed to its member: never its public key or its whole credential id. */
export interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** Whether it is synced to other devices (a passkey manager's backup). */
  backedUp: boolean;
  /** How the browser reaches it: `internal`, `hybrid`, `usb`, `nfc`, `ble`. */
  transports: string[];
}

/** A passkey assertion that verified: whose passkey, and whether it verified the person. */
export interface VerifiedAssertion {
  memberId: string;
  userVerified: boolean;
}

const NAME = /^[^\p{Cc}\p{Cf}]{1,64}$/u;
const CHALLENGE = /^[A-Za-z0-9_-]{16,64}$/;

/** The transports a passkey reported, as stored comma-separated. */
function transportsOf(passkey: Passkey): string[] {
  return passkey.transports ? passkey.transports.split(',') : [];
}

function view(passkey: Passkey): PasskeyView {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
    backedUp: passkey.backedUp,
    transports: transportsOf(passkey),
  };
}

/** How WebAuthn options name a stored passkey: its credential id and the transports it reported. */
function descriptor(passkey: Passkey): {
  id: string;
  transports?: AuthenticatorTransport[];
} {
  return {
    id: passkey.credentialId,
    transports: transportsOf(passkey) as AuthenticatorTransport[],
  };
}

/** A name the member gave: trimmed, 1 to 64 characters, no control characters. */
function passkeyName(value: unknown): string {
  const name = typeof value === 'string' ? value.trim() : '';
  if (!NAME.test(name)) {
    throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
      message: 'name must be 1 to 64 characters',
    });
  }
  return name;
}

/**
 * Passkeys (WebAuthn discoverable credentials, through `@simplewebauthn/server`): made in a
 * signed-in session, listed, renamed and removed by their member, and asserted at a sign-in or a
 * re-verification. Each ceremony's challenge is single-use, expires and is bound to its ceremony
 * (and session), kept in the database so that any instance finishes what another began. The
 * WebAuthn user handle is random per member; a phone-only member's passkey is named by their
 * phone as people read it (`+1 201 555 0123`), never by the placeholder email.
 */
@Injectable()
export class PasskeysService {
  private readonly logger = new Logger('OtpModule');

  constructor(
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
    private readonly passkeys: PasskeysRepository,
    private readonly accounts: MemberAccountsService,
    private readonly events: OtpEventsService,
  ) {}

  /** Whether passkeys are on (the `passkeys` option). */
  get available(): boolean {
    return this.options.passkeys !== null;
  }

  /** What a member's passkey is called and shown as: their phone as people read it, or email. */
  async accountLabel(memberId: string): Promise<string> {
    const member = await this.accounts.findById(memberId);
    if (!member) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    if (member.passwordHash !== null) return member.email;
    return (
      parsePhoneNumberFromString(member.phoneNumber)?.formatInternational() ?? member.phoneNumber
    );
  }

  /** The options of a new passkey for the member of this session (the browser's `create()`). */
  async registrationOptions(
    memberId: string,
    sessionId: string,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const settings = this.settings();
    const existing = await this.passkeys.list(memberId);
    if (existing.length >= settings.maxPerMember) throw tooMany(settings.maxPerMember);
    const label = await this.accountLabel(memberId);
    const userHandle = existing[0]?.userHandle ?? randomBytes(32).toString('base64url');
    const options = await generateRegistrationOptions({
      rpName: settings.rpName,
      rpID: settings.rpId,
      userID: Buffer.from(userHandle, 'base64url'),
      userName: label,
      userDisplayName: label,
      attestationType: 'none',
      excludeCredentials: existing.map(descriptor),
      authenticatorSelection: {
        residentKey: 'required',
        userVerification: settings.userVerification,
      },
      supportedAlgorithmIDs: [-7, -257],
    });
    await this.passkeys.saveChallenge(
      options.challenge,
      'registration',
      { sessionId, userHandle },
      new Date(),
      settings.challengeTtlMs,
    );
    return options;
  }

  /**
   * Verifies the browser's answer to `registrationOptions()` and keeps the passkey. Refuses an
   * expired, used or foreign challenge (401 `CHALLENGE_EXPIRED`), an attestation that does not
   * verify (401 `PASSKEY_INVALID`: origin, rpId, user verification...), and a credential kept
   * before (409 `ALREADY_REGISTERED`); nothing is stored then.
   */
  async register(
    memberId: string,
    sessionId: string,
    input: unknown,
    name?: unknown,
  ): Promise<PasskeyView> {
    const settings = this.settings();
    const response: RegistrationResponseJSON = asRegistrationResponse(input);
    const chosenName = name === undefined ? undefined : passkeyName(name);
    const challenge = await this.take(response.response.clientDataJSON, 'registration', sessionId);
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge.challenge,
        expectedOrigin: settings.origins,
        expectedRPID: settings.rpId,
        requireUserVerification: settings.userVerification === 'required',
        supportedAlgorithmIDs: [-7, -257],
      });
    } catch (error) {
      throw this.refused('registration', memberId, error);
    }
    if (!verified.verified) throw this.refused('registration', memberId);
    const info = verified.registrationInfo;
    // Checked again: ceremonies begun side by side must not pass the bound together.
    if ((await this.passkeys.count(memberId)) >= settings.maxPerMember) {
      throw tooMany(settings.maxPerMember);
    }
    const now = new Date();
    const passkey: Passkey = {
      id: randomUUID(),
      memberId,
      credentialId: info.credential.id,
      userHandle: challenge.userHandle!,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: (info.credential.transports ?? []).join(','),
      backupEligible: info.credentialDeviceType === 'multiDevice',
      backedUp: info.credentialBackedUp,
      aaguid: info.aaguid,
      name: chosenName ?? (await this.accountLabel(memberId)),
      createdAt: now,
      lastUsedAt: null,
    };
    try {
      await this.passkeys.insert(passkey);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new OtpException(OtpErrorCode.ALREADY_REGISTERED, {
          message: 'This passkey is already registered.',
        });
      }
      throw error;
    }
    this.logger.log(`Member ${memberId} added a passkey (${passkey.id})`);
    this.events.emit(OtpEvent.PASSKEY_ADDED, { memberId, method: 'passkey' });
    return view(passkey);
  }

  /** The member's passkeys, oldest first. */
  async list(memberId: string): Promise<PasskeyView[]> {
    this.settings();
    return (await this.passkeys.list(memberId)).map(view);
  }

  /** Renames one of the member's passkeys. */
  async rename(memberId: string, id: string, name: unknown): Promise<PasskeyView> {
    this.settings();
    const chosen = passkeyName(name);
    if (!(await this.passkeys.rename(memberId, id, chosen))) throw notFound();
    return view((await this.passkeys.find(memberId, id))!);
  }

  /** Removes one of the member's passkeys. */
  async remove(memberId: string, id: string): Promise<void> {
    this.settings();
    if (!(await this.passkeys.delete(memberId, id))) throw notFound();
    this.logger.log(`Member ${memberId} removed a passkey (${id})`);
    this.events.emit(OtpEvent.PASSKEY_REMOVED, { memberId, method: 'passkey' });
  }

  /**
   * The options of an assertion (the browser's `get()`): for a sign-in, with no credential
   * listed (discoverable: the browser offers the passkeys it holds for the site, and nothing
   * tells whether anyone has one); for a re-verification, the member's own passkeys, bound to
   * the session.
   */
  async authenticationOptions(
    ceremony: Exclude<PasskeyCeremony, 'registration'>,
    signedIn?: { memberId: string; sessionId: string },
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const settings = this.settings();
    const own = signedIn ? await this.passkeys.list(signedIn.memberId) : [];
    if (signedIn && own.length === 0) {
      throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'You have no passkey.' });
    }
    const options = await generateAuthenticationOptions({
      rpID: settings.rpId,
      userVerification: settings.userVerification,
      allowCredentials: own.map(descriptor),
    });
    await this.passkeys.saveChallenge(
      options.challenge,
      ceremony,
      { sessionId: signedIn?.sessionId ?? null },
      new Date(),
      settings.challengeTtlMs,
    );
    return options;
  }

  /**
   * Verifies an assertion for `ceremony` (a re-verification: of the member's own passkey, in the
   * session that asked) and records its use. Refuses as `register()` does; a signature counter
   * that did not move forward is refused and logged: the authenticator may have been cloned.
   */
  async verifyAssertion(
    input: unknown,
    ceremony: Exclude<PasskeyCeremony, 'registration'>,
    signedIn?: { memberId: string; sessionId: string },
  ): Promise<VerifiedAssertion> {
    const settings = this.settings();
    const response: AuthenticationResponseJSON = asAuthenticationResponse(input);
    const challenge = await this.take(
      response.response.clientDataJSON,
      ceremony,
      signedIn?.sessionId ?? null,
    );
    const passkey = await this.passkeys.findByCredentialId(response.id);
    if (!passkey || (signedIn && passkey.memberId !== signedIn.memberId)) {
      throw this.refused(ceremony, signedIn?.memberId, 'an unknown credential');
    }
    const handle = response.response.userHandle;
    if (handle !== undefined && handle !== passkey.userHandle) {
      throw this.refused(ceremony, passkey.memberId, 'a user handle of another member');
    }
    let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge.challenge,
        expectedOrigin: settings.origins,
        expectedRPID: settings.rpId,
        requireUserVerification: settings.userVerification === 'required',
        credential: {
          id: passkey.credentialId,
          publicKey: Buffer.from(passkey.publicKey, 'base64url'),
          counter: passkey.counter,
        },
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (/counter/i.test(message)) {
        this.logger.warn(
          `A passkey of member ${passkey.memberId} (${passkey.id}) signed with a counter that did not move forward: it may have been cloned; refused`,
        );
      }
      throw this.refused(ceremony, passkey.memberId, error);
    }
    if (!verified.verified) throw this.refused(ceremony, passkey.memberId);
    const info = verified.authenticationInfo;
    const recorded = await this.passkeys.recordUse(passkey.id, passkey.counter, {
      counter: info.newCounter,
      backedUp: info.credentialBackedUp,
      at: new Date(),
    });
    // Another request recorded this passkey's use meanwhile: the same assertion twice.
    if (!recorded && info.newCounter !== 0) throw this.refused(ceremony, passkey.memberId);
    return { memberId: passkey.memberId, userVerified: info.userVerified };
  }

  private settings(): ResolvedPasskeysOptions {
    const settings = this.options.passkeys;
    if (!settings) {
      throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'Passkeys are not enabled.' });
    }
    return settings;
  }

  /** Takes the challenge the response answers; `CHALLENGE_EXPIRED` when it cannot. */
  private async take(clientDataJSON: string, ceremony: PasskeyCeremony, sessionId: string | null) {
    let challenge: unknown;
    try {
      challenge = decodeClientDataJSON(clientDataJSON).challenge;
    } catch {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message: 'response.clientDataJSON must be the browser’s client data',
      });
    }
    const taken =
      typeof challenge === 'string' && CHALLENGE.test(challenge)
        ? await this.passkeys.takeChallenge(challenge, ceremony, sessionId, new Date())
        : null;
    if (!taken) throw new OtpException(OtpErrorCode.CHALLENGE_EXPIRED);
    return taken;
  }

  /** `PASSKEY_INVALID`, logged with the reason (never the response itself). */
  private refused(ceremony: PasskeyCeremony, memberId?: string, reason?: unknown): OtpException {
    const why =
      reason instanceof Error
        ? sanitizeForLog(reason.message).slice(0, 200)
        : typeof reason === 'string'
          ? reason
          : 'not verified';
    this.logger.warn(
      `Passkey ${ceremony} refused${memberId ? ` for member ${memberId}` : ''}: ${why}`,
    );
    return new OtpException(OtpErrorCode.PASSKEY_INVALID);
  }
}

function notFound(): OtpException {
  return new OtpException(OtpErrorCode.NOT_FOUND, { message: 'No such passkey.' });
}

/** The refusal of one passkey more than `maxPerMember`. */
function tooMany(max: number): OtpException {
  return new OtpException(OtpErrorCode.VALIDATION_FAILED, {
    message: `You have the most passkeys allowed (${max}). Remove one first.`,
  });
}
