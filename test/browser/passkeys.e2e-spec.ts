/// <reference lib="dom" />
import type { CDPSession, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { DESKTOP, PHONE } from './support/chromium.js';
import { errorOf, eventually, isFocused, snap, visibleText } from './support/page.js';
import { codeFor, type RunningSample } from './support/sample-server.js';
import { useLocalhostSuite } from './support/suite.js';

const SUITE = 'passkeys';

/** A whole member's life with passkeys, with several phone sign-ins. */
const PASSKEY_TEST_TIMEOUT_MS = 180_000;

/** What the page asked of `navigator.credentials.get()`, in order: `conditional` or `modal`. */
interface Recorded {
  webauthnCalls?: string[];
}

/**
 * A platform authenticator as a laptop's has (internal transport, resident keys, user
 * verification), made by Chromium through the DevTools protocol. Its credentials live as long
 * as the page; with presence simulation on (the default) it answers at once, as a person
 * touching the sensor would.
 */
async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return { cdp, id: authenticatorId };
}

/** The page's calls of `navigator.credentials.get()` so far, as `"conditional modal …"`. */
const webauthnCalls = (page: Page) =>
  page.evaluate(() => ((window as unknown as Recorded).webauthnCalls ?? []).join(' '));

/** Signs in through the page's phone sign-in, with the code the emulator sent. */
async function signInByPhone(
  page: Page,
  sample: RunningSample,
  origin: string,
  member: { national: string; e164: string },
): Promise<void> {
  await page.goto(`${origin}/#phone`);
  const phone = page.getByRole('region', { name: 'Sign in with your phone' });
  await phone.getByLabel('Phone number').fill(member.national);
  const sent = sample.emulator.deliveries(member.e164).length;
  await phone.getByRole('button', { name: 'Send code' }).click();
  await phone
    .getByLabel('Confirmation code')
    .fill(await codeFor(sample.emulator, member.e164, sent));
  await page.getByRole('heading', { name: 'You are signed in' }).waitFor();
}

describe.each([
  ['1280 px', DESKTOP],
  ['375 px', PHONE],
])('Sample page at %s: passkeys', (width, viewport) => {
  // One phone gets several codes within seconds: no cooldown between two sends here.
  const t = useLocalhostSuite({ otp: { rateLimit: { sendCooldownSeconds: false } } }, viewport);
  const shot = (name: string, options?: Parameters<typeof snap>[3]) =>
    width === '1280 px' ? snap(t.page, SUITE, name, options) : Promise.resolve();

  it(
    'adds a passkey from the offer after a phone sign-in, signs in with it (button and autofill, ' +
      'no code sent), renames it, confirms a change with it and removes it',
    async () => {
      const { context, page, sample, origin } = t;
      const n = width === '1280 px' ? '61' : '62';
      const member = { national: `(212) 555-01${n}`, e164: `+121255501${n}` };
      const readName = `+1 212 555 01${n}`;
      await context.addInitScript(() => {
        const calls: string[] = [];
        (window as unknown as Recorded).webauthnCalls = calls;
        const get = navigator.credentials.get.bind(navigator.credentials);
        navigator.credentials.get = (options?: CredentialRequestOptions) => {
          calls.push(options?.mediation === 'conditional' ? 'conditional' : 'modal');
          return get(options);
        };
      });
      const authenticator = await virtualAuthenticator(page);
      const presence = (enabled: boolean) =>
        authenticator.cdp.send('WebAuthn.setAutomaticPresenceSimulation', {
          authenticatorId: authenticator.id,
          enabled,
        });
      const credentials = async () =>
        (
          await authenticator.cdp.send('WebAuthn.getCredentials', {
            authenticatorId: authenticator.id,
          })
        ).credentials;

      // On 127.0.0.1 passkeys cannot work (an IP address is no domain): one line says where.
      await page.goto(`${sample.url}/#phone`);
      const phone = page.getByRole('region', { name: 'Sign in with your phone' });
      expect(await visibleText(phone.getByText('To sign in with a passkey, open'))).toBe(
        `To sign in with a passkey, open ${origin}.`,
      );
      expect(await phone.getByRole('link', { name: origin }).getAttribute('href')).toBe(
        `${origin}/`,
      );
      expect(await phone.getByRole('button', { name: 'Sign in with a passkey' }).count()).toBe(0);
      expect(await webauthnCalls(page)).toBe('');
      await shot('passkey-elsewhere');

      // On localhost: the button, and the browser's autofill on the phone and the email fields.
      await page.goto(`${origin}/#phone`);
      await phone.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
      expect(await phone.getByText('To sign in with a passkey').count()).toBe(0);
      expect(await phone.getByLabel('Phone number').getAttribute('autocomplete')).toBe(
        'username webauthn',
      );
      expect(await page.locator('#login-email').getAttribute('autocomplete')).toBe(
        'username webauthn',
      );
      expect(await eventually(() => webauthnCalls(page), 'conditional')).toBe('conditional');
      await shot('passkey-sign-in', { readme: true });

      // A phone sign-in; the account view offers a passkey once.
      await signInByPhone(page, sample, origin, member);
      const account = page.getByRole('region', { name: 'You are signed in' });
      const offer = account.getByRole('region', { name: 'Sign in faster with a passkey' });
      await offer.waitFor();
      const passkeys = account.getByRole('region', { name: 'Passkeys' });
      expect(await visibleText(passkeys.getByText('You have no passkey yet.'))).toBe(
        'You have no passkey yet.',
      );
      await shot('passkey-offer', { readme: true });

      await offer.getByRole('button', { name: 'Add a passkey' }).click();
      const added = account.getByRole('status').filter({ hasText: 'Passkey added' });
      expect(await visibleText(added)).toBe(
        `Passkey added: “${readName}”. Next time, choose “Sign in with a passkey”: no code needed.`,
      );
      expect(await eventually(() => isFocused(added), true)).toBe(true);
      expect(await offer.count()).toBe(0);
      const items = passkeys.getByRole('list', { name: 'Passkeys' }).getByRole('listitem');
      expect(await items.count()).toBe(1);
      expect(await visibleText(items.first().locator('strong'))).toBe(readName);
      expect(await visibleText(items.first().locator('.muted'))).toMatch(
        /^Added .+ · not used yet · not synced$/,
      );
      // A discoverable credential of localhost, named by the phone as people read it.
      expect(await credentials()).toEqual([
        expect.objectContaining({ isResidentCredential: true, rpId: 'localhost' }),
      ]);
      expect((await credentials())[0].userName).toBe(readName);
      await shot('passkey-added');

      /**
       * The passkeys as the account view lists them again after a sign-in: the items shown
       * before are marked, and the new ones are those without the mark.
       */
      let relisted = async () => {};
      const markListed = async () => {
        await items.evaluateAll((nodes) =>
          nodes.forEach((node) => node.setAttribute('data-seen', '')),
        );
        relisted = () => passkeys.locator('li:not([data-seen])').first().waitFor();
      };

      // Signed out, the autofill request waits for the person; the button signs in instead.
      await markListed();
      const twilioCalls = sample.emulator.requests().length;
      await presence(false);
      const before = await webauthnCalls(page);
      await account.getByRole('button', { name: 'Sign out' }).click();
      const login = page.getByRole('region', { name: 'Sign in', exact: true });
      await login.getByText('You are signed out.').waitFor();
      expect(await eventually(() => webauthnCalls(page), `${before} conditional`)).toBe(
        `${before} conditional`,
      );
      await presence(true);
      await login.getByRole('button', { name: 'Sign in with a passkey' }).click();
      const withPasskey = account
        .getByRole('status')
        .filter({ hasText: 'You are signed in with your passkey' });
      expect(await visibleText(withPasskey)).toBe(
        'You are signed in with your passkey: no code was needed.',
      );
      expect(await webauthnCalls(page)).toBe(`${before} conditional modal`);
      expect(sample.emulator.requests()).toHaveLength(twilioCalls);
      // The list as read again for this sign-in: the passkey has been used.
      await relisted();
      expect(await visibleText(items.first().locator('.muted'))).toMatch(
        /^Added .+ · last used .+ · not synced$/,
      );
      expect(await offer.count()).toBe(0);
      await shot('passkey-signed-in', { readme: true, show: passkeys });

      // The browser's autofill: the virtual authenticator answers the waiting request at once, as
      // a person picking the passkey under the phone or email field does.
      await markListed();
      const autofilled = page.waitForResponse((response) =>
        response.url().endsWith('/auth/passkey/login'),
      );
      await account.getByRole('button', { name: 'Sign out' }).click();
      expect((await autofilled).status()).toBe(200);
      expect(await visibleText(withPasskey)).toBe(
        'You are signed in with your passkey: no code was needed.',
      );
      expect((await webauthnCalls(page)).split(' ').at(-1)).toBe('conditional');
      expect(sample.emulator.requests()).toHaveLength(twilioCalls);
      await relisted();

      // Rename: an empty name is refused under the field.
      await items
        .first()
        .getByRole('button', { name: `Rename ${readName}` })
        .click();
      const name = passkeys.getByLabel('Passkey name');
      expect(await eventually(() => isFocused(name), true)).toBe(true);
      expect(await name.inputValue()).toBe(readName);
      await shot('passkey-rename');
      await name.fill(' ');
      await passkeys.getByRole('button', { name: 'Save' }).click();
      expect(await errorOf(name)).toBe('Enter a name for this passkey');
      await shot('passkey-rename-empty');
      await name.fill('Work laptop');
      await passkeys.getByRole('button', { name: 'Save' }).click();
      // The notice itself: "Renaming…" is a status line too while the request runs.
      const renamed = passkeys.getByRole('status').filter({ hasText: 'Your passkey is renamed' });
      expect(await visibleText(renamed)).toBe('Your passkey is renamed “Work laptop”.');
      expect(await visibleText(items.first().locator('strong'))).toBe('Work laptop');

      // Remove, asked first, from a session made to look six minutes old: confirmed with the
      // passkey itself, nothing sent, and the change goes ahead.
      await sample.app
        .get(DataSource)
        .query(
          'UPDATE otp_member_sessions SET created_at = created_at - 360000, verified_at = NULL',
        );
      await items.first().getByRole('button', { name: 'Remove Work laptop' }).click();
      const question = passkeys.getByText('Remove “Work laptop”?');
      expect(await visibleText(question)).toBe(
        'Remove “Work laptop”? It will no longer sign you in.',
      );
      expect(await eventually(() => isFocused(question), true)).toBe(true);
      await shot('passkey-remove');
      await passkeys.getByRole('button', { name: 'Remove passkey' }).click();
      const reverify = page.getByRole('region', { name: 'Confirm it is you' });
      const heading = reverify.getByRole('heading', { name: 'Confirm it is you' });
      expect(await eventually(() => isFocused(heading), true)).toBe(true);
      const usePasskey = reverify.getByRole('button', { name: 'Use a passkey' });
      await usePasskey.waitFor();
      await shot('passkey-reverify', { readme: true, show: reverify });
      await usePasskey.click();
      expect(
        await visibleText(passkeys.getByRole('status').filter({ hasText: 'is removed' })),
      ).toBe(
        '“Work laptop” is removed and no longer signs you in. Delete it from your device or ' +
          'passkey manager too.',
      );
      expect(await reverify.count()).toBe(0);
      expect(await items.count()).toBe(0);
      expect(await visibleText(passkeys.getByText('You have no passkey yet.'))).toBe(
        'You have no passkey yet.',
      );
      expect(sample.emulator.requests()).toHaveLength(twilioCalls);
      await shot('passkey-removed');

      // The authenticator still holds it: signing in with it is refused in words, and the code
      // sign-in is right there.
      await account.getByRole('button', { name: 'Sign out' }).click();
      const refused = login.getByRole('alert').filter({ hasText: 'passkey' });
      expect(await visibleText(refused)).toBe(
        'This passkey could not be verified. Try again, or sign in another way.',
      );
      expect(await login.getByRole('button', { name: 'Send code' }).isEnabled()).toBe(true);
      await shot('passkey-refused');

      // No passkey at all: the browser's refusal, said in words; the button can be used again.
      await authenticator.cdp.send('WebAuthn.clearCredentials', {
        authenticatorId: authenticator.id,
      });
      await login.getByRole('button', { name: 'Sign in with a passkey' }).click();
      expect(await visibleText(refused)).toBe(
        'The passkey sign-in was cancelled, timed out, or found no passkey for this site. ' +
          'Try again, or sign in with a code.',
      );
      expect(await login.getByRole('button', { name: 'Sign in with a passkey' }).isEnabled()).toBe(
        true,
      );
      await shot('passkey-cancelled');

      // Without a passkey, the offer comes back once; "No thanks" is remembered in this browser.
      await signInByPhone(page, sample, origin, member);
      await offer.getByRole('button', { name: 'No thanks' }).click();
      expect(
        await visibleText(account.getByRole('status').filter({ hasText: 'No passkey for now' })),
      ).toBe('No passkey for now. You can add one any time, under Passkeys below.');
      expect(await offer.count()).toBe(0);
      expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([
        expect.stringMatching(/^nestjs-otp-sample:passkey-offer-declined:[0-9a-f-]{36}$/),
      ]);
      await account.getByRole('button', { name: 'Sign out' }).click();
      await login.getByText('You are signed out.').waitFor();
      await signInByPhone(page, sample, origin, member);
      await passkeys.getByText('You have no passkey yet.').waitFor();
      expect(await offer.count()).toBe(0);
      expect(await passkeys.getByRole('button', { name: 'Add a passkey' }).isVisible()).toBe(true);
    },
    PASSKEY_TEST_TIMEOUT_MS,
  );
});
