import { createPublicKey } from 'node:crypto';

import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import {
  decodeClientDataJSON,
  isoBase64URL,
  isoUint8Array,
  parseAuthenticatorData,
} from '@simplewebauthn/server/helpers';

import { SoftwareAuthenticator } from './index.js';

const RP_ID = 'localhost';
const ORIGIN = 'http://localhost:3000';
const USER_ID = isoUint8Array.fromUTF8String('member-handle-1');

function creationOptions(
  excludeCredentials: { id: string }[] = [],
  userVerification: 'required' | 'preferred' = 'preferred',
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: 'Example',
    rpID: RP_ID,
    userName: '+1 201-555-0123',
    userID: USER_ID,
    attestationType: 'none',
    excludeCredentials,
    authenticatorSelection: { residentKey: 'required', userVerification },
  });
}

/** Registers a passkey and verifies it as a server would; resolves with what a server stores. */
async function enrol(authenticator: SoftwareAuthenticator): Promise<WebAuthnCredential> {
  const options = await creationOptions();
  const verification = await verifyRegistrationResponse({
    response: authenticator.register(options),
    expectedChallenge: options.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
  });
  if (!verification.verified) throw new Error('registration not verified');
  return verification.registrationInfo.credential;
}

async function verifyAssertion(
  response: AuthenticationResponseJSON,
  challenge: string,
  credential: WebAuthnCredential,
  requireUserVerification = true,
) {
  return verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    credential,
    requireUserVerification,
  });
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('SoftwareAuthenticator (verified by @simplewebauthn/server)', () => {
  it('registers a synced, user-verified passkey that verifies with attestation none', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const options = await creationOptions([], 'required');
    const response = authenticator.register(options);

    expect(response).toMatchObject({
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: { publicKeyAlgorithm: -7, transports: ['hybrid', 'internal'] },
    });
    expect(response.rawId).toBe(response.id);
    expect(decodeClientDataJSON(response.response.clientDataJSON)).toEqual({
      type: 'webauthn.create',
      challenge: options.challenge,
      origin: ORIGIN,
      crossOrigin: false,
    });

    const verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      requireUserVerification: true,
    });
    expect(verification.verified).toBe(true);
    expect(verification.registrationInfo).toMatchObject({
      fmt: 'none',
      aaguid: '00000000-0000-0000-0000-000000000000',
      userVerified: true,
      credentialBackedUp: true,
      credentialDeviceType: 'multiDevice',
      rpID: RP_ID,
      credential: { id: response.id, counter: 0 },
    });
    expect(authenticator.credentials()).toEqual([
      {
        id: response.id,
        rpId: RP_ID,
        userHandle: isoBase64URL.fromBuffer(USER_ID),
        userName: '+1 201-555-0123',
        userDisplayName: '',
        counter: 0,
      },
    ]);
  });

  it('gives the public key as SPKI and the authenticator data beside the attestation', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const response = authenticator.register(await creationOptions());
    const { publicKey, authenticatorData } = response.response;
    if (!publicKey || !authenticatorData) throw new Error('publicKey and authenticatorData');
    const spki = createPublicKey({
      key: Buffer.from(isoBase64URL.toBuffer(publicKey)),
      format: 'der',
      type: 'spki',
    });
    expect(spki.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    const parsed = parseAuthenticatorData(isoBase64URL.toBuffer(authenticatorData));
    expect(parsed.flags).toMatchObject({ up: true, uv: true, be: true, bs: true, at: true });
    expect(isoBase64URL.fromBuffer(parsed.credentialID ?? new Uint8Array())).toBe(response.id);
  });

  it('signs in with the discoverable credential, the counter going up each time', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const credential = await enrol(authenticator);

    for (const expected of [1, 2]) {
      const options = await generateAuthenticationOptions({ rpID: RP_ID });
      expect(options.allowCredentials ?? []).toEqual([]);
      const response = authenticator.authenticate(options);
      expect(response).toMatchObject({
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
        response: { userHandle: isoBase64URL.fromBuffer(USER_ID) },
      });
      expect(decodeClientDataJSON(response.response.clientDataJSON)).toEqual({
        type: 'webauthn.get',
        challenge: options.challenge,
        origin: ORIGIN,
        crossOrigin: false,
      });
      const verification = await verifyAssertion(response, options.challenge, credential);
      expect(verification.verified).toBe(true);
      expect(verification.authenticationInfo).toMatchObject({
        newCounter: expected,
        userVerified: true,
        credentialBackedUp: true,
      });
      credential.counter = verification.authenticationInfo.newCounter;
    }
    expect(authenticator.credentials()[0].counter).toBe(2);
  });

  it('answers with the allowed credential, else the most recent, else the one named', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const first = await enrol(authenticator);
    const second = await enrol(authenticator);

    const discoverable = await generateAuthenticationOptions({ rpID: RP_ID });
    expect(authenticator.authenticate(discoverable).id).toBe(second.id);
    const allowed = await generateAuthenticationOptions({
      rpID: RP_ID,
      allowCredentials: [{ id: first.id }],
    });
    const response = authenticator.authenticate(allowed);
    expect(response.id).toBe(first.id);
    expect((await verifyAssertion(response, allowed.challenge, first)).verified).toBe(true);
    expect(authenticator.authenticate(discoverable, { credentialId: first.id }).id).toBe(first.id);
  });

  it('makes device-bound credentials without BE/BS when not backup eligible', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN, backupEligible: false });
    const options = await creationOptions();
    const response = authenticator.register(options);
    expect(response.response.transports).toEqual(['internal']);
    const verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
    });
    expect(verification.registrationInfo).toMatchObject({
      credentialBackedUp: false,
      credentialDeviceType: 'singleDevice',
    });
  });

  describe('overrides for attack tests', () => {
    let authenticator: SoftwareAuthenticator;
    let credential: WebAuthnCredential;
    beforeEach(async () => {
      authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
      credential = await enrol(authenticator);
    });

    it('answers without user verification, which a server requiring it refuses', async () => {
      const options = await generateAuthenticationOptions({ rpID: RP_ID });
      const response = authenticator.authenticate(options, { userVerified: false });
      await expect(verifyAssertion(response, options.challenge, credential)).rejects.toThrow(
        'User verification required',
      );
      const relaxed = await verifyAssertion(response, options.challenge, credential, false);
      expect(relaxed).toMatchObject({
        verified: true,
        authenticationInfo: { userVerified: false },
      });
    });

    it('registers without user verification, which a server requiring it refuses', async () => {
      const options = await creationOptions();
      const response = authenticator.register(options, { userVerified: false });
      await expect(
        verifyRegistrationResponse({
          response,
          expectedChallenge: options.challenge,
          expectedOrigin: ORIGIN,
          expectedRPID: RP_ID,
          requireUserVerification: true,
        }),
      ).rejects.toThrow('User verification was required');
    });

    it('answers from another origin, which the server refuses', async () => {
      const options = await generateAuthenticationOptions({ rpID: RP_ID });
      const response = authenticator.authenticate(options, { origin: 'https://evil.example' });
      await expect(verifyAssertion(response, options.challenge, credential)).rejects.toThrow(
        'Unexpected authentication response origin "https://evil.example"',
      );
      const registration = await creationOptions();
      await expect(
        verifyRegistrationResponse({
          response: authenticator.register(registration, { origin: 'https://evil.example' }),
          expectedChallenge: registration.challenge,
          expectedOrigin: ORIGIN,
          expectedRPID: RP_ID,
        }),
      ).rejects.toThrow('Unexpected registration response origin');
    });

    it('answers for another RP ID with the same credential, which the server refuses', async () => {
      const options = await generateAuthenticationOptions({ rpID: RP_ID });
      const response = authenticator.authenticate(options, { rpId: 'evil.example' });
      expect(response.id).toBe(credential.id);
      await expect(verifyAssertion(response, options.challenge, credential)).rejects.toThrow(
        'Unexpected RP ID hash',
      );
    });

    it('replays a challenge and changes the ceremony type', async () => {
      const stale = await generateAuthenticationOptions({ rpID: RP_ID });
      const options = await generateAuthenticationOptions({ rpID: RP_ID });
      const replayed = authenticator.authenticate(options, { challenge: stale.challenge });
      await expect(verifyAssertion(replayed, options.challenge, credential)).rejects.toThrow(
        'Unexpected authentication response challenge',
      );
      const created = authenticator.authenticate(options, { type: 'webauthn.create' });
      await expect(verifyAssertion(created, options.challenge, credential)).rejects.toThrow(
        'Unexpected authentication response type',
      );
    });

    it('sends a counter that went backwards, which SimpleWebAuthn refuses', async () => {
      for (let i = 0; i < 3; i += 1) {
        const options = await generateAuthenticationOptions({ rpID: RP_ID });
        const verification = await verifyAssertion(
          authenticator.authenticate(options),
          options.challenge,
          credential,
        );
        credential.counter = verification.authenticationInfo.newCounter;
      }
      expect(credential.counter).toBe(3);

      const options = await generateAuthenticationOptions({ rpID: RP_ID });
      const backwards = authenticator.authenticate(options, { counter: 2 });
      const signed = parseAuthenticatorData(
        isoBase64URL.toBuffer(backwards.response.authenticatorData),
      );
      expect(signed.counter).toBe(2);
      await expect(verifyAssertion(backwards, options.challenge, credential)).rejects.toThrow(
        'Response counter value 2 was lower than expected 3',
      );
      const same = authenticator.authenticate(options, { counter: 3 });
      await expect(verifyAssertion(same, options.challenge, credential)).rejects.toThrow(
        'was lower than expected 3',
      );

      // The override leaves the authenticator's own counter where it was.
      const next = authenticator.authenticate(options);
      const verification = await verifyAssertion(next, options.challenge, credential);
      expect(verification.authenticationInfo.newCounter).toBe(4);
    });

    it('signs with a credential the request does not allow when told to', async () => {
      const other = await enrol(authenticator);
      const options = await generateAuthenticationOptions({
        rpID: RP_ID,
        allowCredentials: [{ id: credential.id }],
      });
      expect(authenticator.authenticate(options, { credentialId: other.id }).id).toBe(other.id);
    });

    it('registers a held credential again, with the same id and key', async () => {
      const options = await creationOptions([{ id: credential.id }]);
      const again = authenticator.register(options, {
        credentialId: credential.id,
        ignoreExcludeCredentials: true,
      });
      expect(again.id).toBe(credential.id);
      const verification = await verifyRegistrationResponse({
        response: again,
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
      });
      expect(
        isoUint8Array.areEqual(
          verification.registrationInfo?.credential.publicKey ?? new Uint8Array(),
          credential.publicKey,
        ),
      ).toBe(true);
      expect(authenticator.credentials()).toHaveLength(1);
    });
  });

  describe('refusals a browser makes', () => {
    it('refuses options whose excludeCredentials names a credential it holds', async () => {
      const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
      const credential = await enrol(authenticator);
      const options = await creationOptions([{ id: credential.id }]);
      const error = thrown(() => authenticator.register(options));
      expect(error).toBeInstanceOf(DOMException);
      expect(error).toMatchObject({ name: 'InvalidStateError' });
      expect(authenticator.credentials()).toHaveLength(1);

      // Another authenticator does not hold it, and registers.
      const other = new SoftwareAuthenticator({ origin: ORIGIN });
      expect(other.register(options).id).not.toBe(credential.id);
    });

    it('refuses options without ES256, and takes an empty list as the default ES256/RS256', async () => {
      const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
      const options = await creationOptions();
      const rsaOnly = {
        ...options,
        pubKeyCredParams: [{ type: 'public-key' as const, alg: -257 }],
      };
      expect(thrown(() => authenticator.register(rsaOnly))).toMatchObject({
        name: 'NotSupportedError',
      });
      expect(authenticator.credentials()).toEqual([]);
      expect(authenticator.register({ ...options, pubKeyCredParams: [] }).type).toBe('public-key');
    });

    it('refuses an RP ID that is not its origin host or a parent domain of it', async () => {
      const authenticator = new SoftwareAuthenticator({ origin: 'https://app.example.com' });
      const options = await generateRegistrationOptions({
        rpName: 'Example',
        rpID: 'example.com',
        userName: 'member',
      });
      expect(authenticator.register(options).type).toBe('public-key');
      expect(
        thrown(() =>
          authenticator.register({ ...options, rp: { ...options.rp, id: 'other.com' } }),
        ),
      ).toMatchObject({ name: 'SecurityError' });
      expect(
        thrown(() =>
          authenticator.authenticate({ challenge: options.challenge, rpId: 'ample.com' }),
        ),
      ).toMatchObject({ name: 'SecurityError' });
    });

    it('refuses required user verification it cannot give, and a request it cannot answer', async () => {
      const authenticator = new SoftwareAuthenticator({ origin: ORIGIN, userVerification: false });
      expect(
        thrown(() => authenticator.authenticate({ challenge: 'AAAA', rpId: RP_ID })),
      ).toMatchObject({
        name: 'NotAllowedError',
      });
      const required = await creationOptions([], 'required');
      expect(thrown(() => authenticator.register(required))).toMatchObject({
        name: 'NotAllowedError',
      });
      const options = await creationOptions();
      const verification = await verifyRegistrationResponse({
        response: authenticator.register(options),
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        requireUserVerification: false,
      });
      expect(verification.registrationInfo?.userVerified).toBe(false);
      const request = await generateAuthenticationOptions({
        rpID: RP_ID,
        userVerification: 'required',
      });
      expect(thrown(() => authenticator.authenticate(request))).toMatchObject({
        name: 'NotAllowedError',
      });
      const allowedElsewhere = await generateAuthenticationOptions({
        rpID: RP_ID,
        allowCredentials: [{ id: isoBase64URL.fromBuffer(new Uint8Array(32)) }],
      });
      expect(thrown(() => authenticator.authenticate(allowedElsewhere))).toMatchObject({
        name: 'NotAllowedError',
      });
    });
  });

  describe('clone()', () => {
    it('signs with the same key, and a counter of its own that the server sees go back', async () => {
      const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
      const credential = await enrol(authenticator);
      const copy = authenticator.clone();
      expect(copy.credentials()).toEqual(authenticator.credentials());

      const options = await generateAuthenticationOptions({ rpID: RP_ID });
      const fromCopy = copy.authenticate(options);
      expect(fromCopy.id).toBe(credential.id);
      const verification = await verifyAssertion(fromCopy, options.challenge, credential);
      expect(verification.verified).toBe(true);
      credential.counter = verification.authenticationInfo.newCounter;

      // The original signs with the same key: a server that had not seen the copy accepts it.
      const original = authenticator.authenticate(options);
      expect(authenticator.credentials()[0].counter).toBe(1);
      expect(copy.credentials()[0].counter).toBe(1);
      const fresh = await verifyAssertion(original, options.challenge, {
        ...credential,
        counter: 0,
      });
      expect(fresh.verified).toBe(true);

      // Both counted to 1 on their own; the server has seen 1 already.
      await expect(verifyAssertion(original, options.challenge, credential)).rejects.toThrow(
        'Response counter value 1 was lower than expected 1',
      );
    });
  });
});
