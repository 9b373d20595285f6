import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

import { cose, isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialDescriptorJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  UserVerificationRequirement,
} from '@simplewebauthn/server';

/** Options of a {@link SoftwareAuthenticator}. */
export interface SoftwareAuthenticatorOptions {
  /**
   * Origin of the page the authenticator answers, as a browser writes it into `clientDataJSON`
   * (scheme, host and port, no path): `'http://localhost:3000'`, `'https://app.example.com'`.
   */
  origin: string;
  /**
   * Whether the authenticator verifies its user (a fingerprint, a face, a device PIN) and sets
   * the UV flag. Default `true`. When `false`, options that require user verification are
   * refused (`NotAllowedError`), as a browser refuses them without a verifying authenticator.
   */
  userVerification?: boolean;
  /**
   * Whether its credentials are synced passkeys, reported backup eligible and backed up (the BE
   * and BS flags), as the passkeys of a platform password manager are. Default `true`; `false`
   * makes device-bound credentials.
   */
  backupEligible?: boolean;
}

/**
 * Changes to one response, to produce what a browser would not send (attack tests). Each one
 * alters the bytes of that response only; {@link SoftwareAuthenticator.register} also keeps the
 * credential it creates with the `counter` and `credentialId` given.
 */
export interface SoftwareAuthenticatorOverrides {
  /** Origin written into `clientDataJSON` instead of the authenticator's own (phishing page). */
  origin?: string;
  /**
   * RP ID whose SHA-256 hash starts the authenticator data, instead of the options' one: a
   * response made for another relying party. The credential is still chosen, and a new one
   * still kept, for the options' RP ID.
   */
  rpId?: string;
  /** Challenge written into `clientDataJSON` as given, instead of the options' (a replay). */
  challenge?: string;
  /** The UV flag to set instead of the authenticator's; `false` answers without verification. */
  userVerified?: boolean;
  /**
   * Signature counter to write, instead of 0 at registration or the next value at
   * authentication. At authentication the authenticator's own counter does not move, so a
   * counter that goes backwards can be sent and the next ordinary response still counts on.
   */
  counter?: number;
  /**
   * At registration, the id (base64url) of the new credential: the id of a credential the
   * authenticator holds registers it again with the same key. At authentication, the credential
   * to sign with, among all that the authenticator holds, whatever the options' RP ID and
   * `allowCredentials` say (an assertion of another member's credential).
   */
  credentialId?: string;
  /**
   * Ceremony type written into `clientDataJSON` instead of `webauthn.create` or `webauthn.get`
   * (an assertion presented as an attestation, or the reverse).
   */
  type?: string;
}

/** Changes to one registration response: those of every response, and one of its own. */
export interface SoftwareRegistrationOverrides extends SoftwareAuthenticatorOverrides {
  /**
   * Answer even when `excludeCredentials` names a credential the authenticator holds (with
   * `credentialId`, a credential registered twice); a browser refuses with `InvalidStateError`.
   */
  ignoreExcludeCredentials?: boolean;
}

/** A credential a {@link SoftwareAuthenticator} holds, as {@link SoftwareAuthenticator.credentials} lists it. */
export interface SoftwareCredential {
  /** Credential id, base64url, as the responses' `id` and `rawId` carry it. */
  id: string;
  /** RP ID the credential was created for (`options.rp.id` at registration). */
  rpId: string;
  /** User handle, base64url (`options.user.id` at registration), returned at authentication. */
  userHandle: string;
  /** `options.user.name` at registration: the account name a browser shows for the passkey. */
  userName: string;
  /** `options.user.displayName` at registration. */
  userDisplayName: string;
  /** Signature counter of the last response signed. */
  counter: number;
}

interface HeldCredential extends SoftwareCredential {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A value `isoCBOR.encode` takes. */
type CBORValue = Parameters<typeof isoCBOR.encode>[0];

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_BACKUP_ELIGIBLE = 0x08;
const FLAG_BACKED_UP = 0x10;
const FLAG_ATTESTED_CREDENTIAL_DATA = 0x40;

const CREDENTIAL_ID_BYTES = 32;
const MAX_COUNTER = 0xffffffff;
const ZERO_AAGUID = Buffer.alloc(16);

/**
 * A platform authenticator in memory that holds passkeys, for a host's own e2e tests: it answers
 * the WebAuthn options a server sends (`@simplewebauthn/server`'s
 * `generateRegistrationOptions` and `generateAuthenticationOptions` JSON) with the responses
 * `@simplewebauthn/browser`'s `startRegistration()` and `startAuthentication()` would post back,
 * so a test signs in with a passkey over HTTP as a browser would:
 *
 * ```ts
 * const authenticator = new SoftwareAuthenticator({ origin: 'http://localhost:3000' });
 * const creation = await http.post('/auth/account/passkeys/options').auth(token, { type: 'bearer' });
 * await http.post('/auth/account/passkeys').auth(token, { type: 'bearer' })
 *   .send({ response: authenticator.register(creation.body) });
 * const request = await http.post('/auth/passkey/options').send({});
 * const login = await http.post('/auth/passkey/login')
 *   .send({ response: authenticator.authenticate(request.body) });
 * ```
 *
 * Registration creates a discoverable credential of a fresh ES256 key pair (P-256, SHA-256),
 * attestation format `none`, an AAGUID of zeros, signature counter 0, and the flags UP, UV (when
 * {@link userVerification}), BE and BS (when {@link backupEligible}) and AT. Authentication
 * signs the next counter value. Like a browser it refuses, with the `DOMException` a browser
 * throws: options without ES256 in `pubKeyCredParams` (`NotSupportedError`), an
 * `excludeCredentials` naming a credential it holds for that RP ID (`InvalidStateError`), an RP
 * ID that is neither the origin's host nor a parent domain of it (`SecurityError`), required
 * user verification it cannot give, and a request no credential it holds can answer
 * (`NotAllowedError`). Overrides make the responses a browser would not send.
 */
export class SoftwareAuthenticator {
  /** Origin written into `clientDataJSON` (see {@link SoftwareAuthenticatorOptions.origin}). */
  readonly origin: string;
  /** Whether it verifies its user and sets the UV flag. */
  readonly userVerification: boolean;
  /** Whether its credentials report the BE and BS flags (synced passkeys). */
  readonly backupEligible: boolean;

  private readonly held = new Map<string, HeldCredential>();

  /** Creates an authenticator that holds no credential yet. */
  constructor(options: SoftwareAuthenticatorOptions) {
    this.origin = new URL(options.origin).origin;
    this.userVerification = options.userVerification ?? true;
    this.backupEligible = options.backupEligible ?? true;
  }

  /**
   * Answers registration options as `navigator.credentials.create()` would: creates and keeps a
   * discoverable credential for `options.rp.id` and `options.user`, and returns the
   * `RegistrationResponseJSON` to post to the server. The credential is kept even if the server
   * then refuses it, as a real authenticator keeps it ({@link remove} forgets it).
   * @throws `DOMException` `NotSupportedError` when `pubKeyCredParams` lacks ES256 (-7);
   *   `InvalidStateError` when `excludeCredentials` names a credential held for the RP ID;
   *   `SecurityError` when the RP ID does not match the origin; `NotAllowedError` when user
   *   verification is required and the authenticator does not verify its user.
   */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides: SoftwareRegistrationOverrides = {},
  ): RegistrationResponseJSON {
    const origin = overrides.origin ?? this.origin;
    const rpId = options.rp.id ?? new URL(origin).hostname;
    this.checkRpId(rpId, overrides);
    const params = options.pubKeyCredParams ?? [];
    if (
      params.length > 0 &&
      !params.some((p) => p.type === 'public-key' && p.alg === cose.COSEALG.ES256)
    ) {
      throw new DOMException(
        'pubKeyCredParams lacks ES256 (-7), the only algorithm this authenticator has',
        'NotSupportedError',
      );
    }
    if (!overrides.ignoreExcludeCredentials) {
      const excluded = this.find(rpId, options.excludeCredentials ?? []);
      if (excluded.length > 0) {
        throw new DOMException(
          `excludeCredentials names credential ${excluded[0].id}, which this authenticator holds for ${rpId}`,
          'InvalidStateError',
        );
      }
    }
    const userVerified = this.userVerified(
      options.authenticatorSelection?.userVerification,
      overrides,
    );
    const counter = checkedCounter(overrides.counter ?? 0);
    const id =
      overrides.credentialId === undefined
        ? isoBase64URL.fromBuffer(randomBytes(CREDENTIAL_ID_BYTES))
        : normalized(overrides.credentialId);
    const previous = this.held.get(id);
    const keys = previous ?? generateKeyPairSync('ec', { namedCurve: 'P-256' });

    const credentialId = isoBase64URL.toBuffer(id);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authenticatorData = Buffer.concat([
      this.authenticatorDataHead(
        overrides.rpId ?? rpId,
        userVerified,
        counter,
        FLAG_ATTESTED_CREDENTIAL_DATA,
      ),
      ZERO_AAGUID,
      idLength,
      credentialId,
      coseKey(keys.publicKey),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, CBORValue>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, CBORValue>()],
        ['authData', new Uint8Array(authenticatorData)],
      ]),
    );
    const clientDataJSON = clientData(
      overrides.type ?? 'webauthn.create',
      overrides.challenge ?? normalized(options.challenge),
      origin,
    );

    this.held.delete(id);
    this.held.set(id, {
      id,
      rpId,
      userHandle: normalized(options.user.id),
      userName: options.user.name,
      userDisplayName: options.user.displayName,
      counter,
      privateKey: keys.privateKey,
      publicKey: keys.publicKey,
    });

    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON,
        attestationObject: isoBase64URL.fromBuffer(attestationObject),
        transports: this.backupEligible ? ['hybrid', 'internal'] : ['internal'],
        publicKeyAlgorithm: cose.COSEALG.ES256,
        publicKey: isoBase64URL.fromBuffer(
          new Uint8Array(keys.publicKey.export({ type: 'spki', format: 'der' })),
        ),
        authenticatorData: isoBase64URL.fromBuffer(new Uint8Array(authenticatorData)),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * Answers authentication options as `navigator.credentials.get()` would: signs with a
   * credential held for `options.rpId` (a credential of `allowCredentials` when the list is not
   * empty, else any discoverable one: the most recently registered, unless
   * `overrides.credentialId` names another) after incrementing its counter, and returns the
   * `AuthenticationResponseJSON` to post to the server, with the credential's user handle.
   * @throws `DOMException` `NotAllowedError` when no held credential answers the options (or
   *   `overrides.credentialId` names none), or when user verification is required and the
   *   authenticator does not verify its user; `SecurityError` when the RP ID does not match the
   *   origin.
   */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    overrides: SoftwareAuthenticatorOverrides = {},
  ): AuthenticationResponseJSON {
    const origin = overrides.origin ?? this.origin;
    const rpId = options.rpId ?? new URL(origin).hostname;
    this.checkRpId(rpId, overrides);
    const credential = this.choose(rpId, options.allowCredentials ?? [], overrides.credentialId);
    const userVerified = this.userVerified(options.userVerification, overrides);
    let counter: number;
    if (overrides.counter === undefined) {
      counter = checkedCounter(credential.counter + 1);
      credential.counter = counter;
    } else {
      counter = checkedCounter(overrides.counter);
    }

    const authenticatorData = this.authenticatorDataHead(
      overrides.rpId ?? rpId,
      userVerified,
      counter,
      0,
    );
    const clientDataJSON = clientData(
      overrides.type ?? 'webauthn.get',
      overrides.challenge ?? normalized(options.challenge),
      origin,
    );
    const clientDataHash = createHash('sha256')
      .update(isoBase64URL.toBuffer(clientDataJSON))
      .digest();
    const signature = sign(
      'sha256',
      Buffer.concat([authenticatorData, clientDataHash]),
      credential.privateKey,
    );

    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: isoBase64URL.fromBuffer(new Uint8Array(authenticatorData)),
        signature: isoBase64URL.fromBuffer(new Uint8Array(signature)),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** The credentials it holds, oldest first (copies: changing them changes nothing). */
  credentials(): SoftwareCredential[] {
    return [...this.held.values()].map((c) => ({
      id: c.id,
      rpId: c.rpId,
      userHandle: c.userHandle,
      userName: c.userName,
      userDisplayName: c.userDisplayName,
      counter: c.counter,
    }));
  }

  /**
   * Forgets a credential, as a user deleting a passkey from their device or password manager.
   * @returns whether it held the credential.
   */
  remove(credentialId: string): boolean {
    return this.held.delete(normalized(credentialId));
  }

  /**
   * A second authenticator with the same options holding the same credentials (same ids, keys
   * and counters), whose counters then move on their own: a cloned authenticator. Once both
   * have signed, one of them presents a counter the server has already seen.
   */
  clone(): SoftwareAuthenticator {
    const copy = new SoftwareAuthenticator({
      origin: this.origin,
      userVerification: this.userVerification,
      backupEligible: this.backupEligible,
    });
    for (const [id, credential] of this.held) copy.held.set(id, { ...credential });
    return copy;
  }

  /** Refuses an RP ID a browser would refuse for the origin, unless the response is forged. */
  private checkRpId(rpId: string, overrides: SoftwareAuthenticatorOverrides): void {
    if (overrides.origin !== undefined || overrides.rpId !== undefined) return;
    const host = new URL(this.origin).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      throw new DOMException(
        `RP ID ${rpId} is not the host of ${this.origin} nor a parent domain of it`,
        'SecurityError',
      );
    }
  }

  /** The UV flag to set, or a refusal of required verification the authenticator cannot give. */
  private userVerified(
    requirement: UserVerificationRequirement | undefined,
    overrides: SoftwareAuthenticatorOverrides,
  ): boolean {
    if (overrides.userVerified !== undefined) return overrides.userVerified;
    if (requirement === 'required' && !this.userVerification) {
      throw new DOMException(
        'user verification is required and this authenticator does not verify its user',
        'NotAllowedError',
      );
    }
    return this.userVerification;
  }

  /** Held credentials for `rpId` that `descriptors` name. */
  private find(rpId: string, descriptors: PublicKeyCredentialDescriptorJSON[]): HeldCredential[] {
    const named = new Set(descriptors.map((d) => normalized(d.id)));
    return [...this.held.values()].filter((c) => c.rpId === rpId && named.has(c.id));
  }

  /** The credential that answers a request (see {@link authenticate}). */
  private choose(
    rpId: string,
    allowCredentials: PublicKeyCredentialDescriptorJSON[],
    credentialId: string | undefined,
  ): HeldCredential {
    if (credentialId !== undefined) {
      const credential = this.held.get(normalized(credentialId));
      if (!credential) {
        throw new DOMException(
          `this authenticator holds no credential ${credentialId}`,
          'NotAllowedError',
        );
      }
      return credential;
    }
    const candidates =
      allowCredentials.length > 0
        ? this.find(rpId, allowCredentials)
        : [...this.held.values()].filter((c) => c.rpId === rpId);
    const credential = candidates.at(-1);
    if (!credential) {
      throw new DOMException(
        `this authenticator holds no credential for ${rpId} that the request allows`,
        'NotAllowedError',
      );
    }
    return credential;
  }

  /** RP ID hash, flags and signature counter: the 37 bytes every authenticator data begins with. */
  private authenticatorDataHead(
    rpId: string,
    userVerified: boolean,
    counter: number,
    extraFlags: number,
  ): Buffer {
    let flags = FLAG_USER_PRESENT | extraFlags;
    if (userVerified) flags |= FLAG_USER_VERIFIED;
    if (this.backupEligible) flags |= FLAG_BACKUP_ELIGIBLE | FLAG_BACKED_UP;
    const head = Buffer.alloc(37);
    createHash('sha256').update(rpId).digest().copy(head, 0);
    head.writeUInt8(flags, 32);
    head.writeUInt32BE(counter, 33);
    return head;
  }
}

/** A base64url string as a browser re-encodes it from its bytes (no padding). */
function normalized(base64url: string): string {
  if (typeof base64url !== 'string') throw new TypeError('expected a base64url string');
  return isoBase64URL.fromBuffer(isoBase64URL.toBuffer(base64url));
}

function checkedCounter(counter: number): number {
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_COUNTER) {
    throw new RangeError(`a signature counter is an integer from 0 to ${MAX_COUNTER}`);
  }
  return counter;
}

/** `clientDataJSON`, base64url, with its members in the order browsers write them. */
function clientData(type: string, challenge: string, origin: string): string {
  return isoBase64URL.fromUTF8String(
    JSON.stringify({ type, challenge, origin, crossOrigin: false }),
  );
}

/** The COSE_Key (RFC 9053) of an ES256 public key, CBOR-encoded. */
function coseKey(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.x === undefined || jwk.y === undefined) throw new Error('not an EC public key');
  return isoCBOR.encode(
    new Map<number, CBORValue>([
      [cose.COSEKEYS.kty, cose.COSEKTY.EC2],
      [cose.COSEKEYS.alg, cose.COSEALG.ES256],
      [cose.COSEKEYS.crv, cose.COSECRV.P256],
      [cose.COSEKEYS.x, isoBase64URL.toBuffer(jwk.x)],
      [cose.COSEKEYS.y, isoBase64URL.toBuffer(jwk.y)],
    ]),
  );
}
