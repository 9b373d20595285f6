import { OtpOptionsError } from '../../errors/otp-options.error.js';
import { resolvePasskeysOptions } from './passkeys.options.js';

const fail = (option: string, problem: string) => new OtpOptionsError(option, problem);
const resolve = (passkeys: unknown) =>
  resolvePasskeysOptions(passkeys as Parameters<typeof resolvePasskeysOptions>[0], fail);

describe('the passkeys option', () => {
  it('is off when absent', () => {
    expect(resolve(undefined)).toBeNull();
  });

  it('fills in its defaults from the rpId', () => {
    expect(resolve({ rpId: 'example.com' })).toEqual({
      rpId: 'example.com',
      rpName: 'example.com',
      origins: ['https://example.com'],
      userVerification: 'required',
      maxPerMember: 10,
      challengeTtlMs: 300_000,
    });
    expect(
      resolve({
        rpId: 'localhost',
        origins: ['http://localhost:3000'],
        userVerification: 'preferred',
      }),
    ).toMatchObject({ origins: ['http://localhost:3000'], userVerification: 'preferred' });
    expect(resolve({ rpId: 'example.com', origins: ['https://app.example.com/'] })).toMatchObject({
      origins: ['https://app.example.com'],
    });
  });

  it.each<[unknown, string, string]>([
    ['example.com', 'passkeys', 'must be an object'],
    [{}, 'passkeys.rpId', "must be the site's domain"],
    [{ rpId: '127.0.0.1' }, 'passkeys.rpId', "must be the site's domain"],
    [{ rpId: 'Example.com' }, 'passkeys.rpId', "must be the site's domain"],
    [{ rpId: 'example.com', rpName: '' }, 'passkeys.rpName', 'must be a name of 1 to 64'],
    [{ rpId: 'example.com', origins: [] }, 'passkeys.origins', 'must be a list of origins'],
    [{ rpId: 'example.com', origins: ['http://example.com'] }, 'passkeys.origins[0]', 'https'],
    [
      { rpId: 'example.com', origins: ['https://evil.com'] },
      'passkeys.origins[0]',
      'on example.com',
    ],
    [
      { rpId: 'example.com', origins: ['https://example.com/login'] },
      'passkeys.origins[0]',
      'without a path',
    ],
    [{ rpId: 'example.com', userVerification: 'always' }, 'passkeys.userVerification', 'one of'],
    [{ rpId: 'example.com', maxPerMember: 0 }, 'passkeys.maxPerMember', 'positive integer'],
    [{ rpId: 'example.com', maxPerMember: 101 }, 'passkeys.maxPerMember', 'at most 100'],
    [{ rpId: 'example.com', challengeTtlSeconds: 5 }, 'passkeys.challengeTtlSeconds', '30 to 600'],
  ])('refuses %j at start-up, naming %s', (given, option, problem) => {
    let error: unknown;
    try {
      resolve(given);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OtpOptionsError);
    expect((error as Error).message).toContain(`option "${option}"`);
    expect((error as Error).message).toContain(problem);
  });
});
