import { generate } from 'otplib';
import { DataSource } from 'typeorm';
import { renderSVG } from 'uqr';
import { DESKTOP, PHONE } from './support/chromium.js';
import { PASSWORD, registerMember, signIn } from './support/flows.js';
import { errorOf, eventually, isFocused, snap, visibleText } from './support/page.js';
import { codeFor } from './support/sample-server.js';
import { useBrowserSuite } from './support/suite.js';

const SUITE = 'authenticator';
const STEP_SECONDS = 30;

/** Up to two 30-second steps of waiting for the next app code, and the flows around them. */
const APP_TEST_TIMEOUT_MS = 240_000;

/** A code that is not `code`. */
const wrong = (code: string) => code.slice(0, -1) + ((Number(code.at(-1)) + 1) % 10);

const currentStep = () => Math.floor(Date.now() / 1000 / STEP_SECONDS);

/**
 * What the member's authenticator app shows, as a member would type it: the module accepts one
 * step of drift either way but never a code of a step at or before the last one it accepted, so
 * each code is of the step after the last one used (the next step at most; waiting for time to
 * catch up when that is further ahead).
 */
function appCodes(secret: string) {
  let last = -Infinity;
  return async (): Promise<string> => {
    const step = Math.max(last + 1, currentStep());
    while (step > currentStep() + 1) await new Promise((resolve) => setTimeout(resolve, 250));
    last = step;
    return generate({ secret, epoch: step * STEP_SECONDS });
  };
}

describe.each([
  ['1280 px', DESKTOP],
  ['375 px', PHONE],
])('Sample page at %s: an authenticator app and a trusted device', (width, viewport) => {
  // One phone gets several codes within seconds: no cooldown between two sends here.
  const t = useBrowserSuite({ otp: { rateLimit: { sendCooldownSeconds: false } } }, viewport);
  const shot = (name: string, options?: { readme?: boolean }) =>
    width === '1280 px' ? snap(t.page, SUITE, name, options) : Promise.resolve();

  it(
    'sets up an app from its QR code, signs in with it, trusts the browser, forgets it, ' +
      're-verifies with the app and removes it',
    async () => {
      const { context, page, sample } = t;
      const n = width === '1280 px' ? '81' : '82';
      const ada = {
        email: `ada${n}@example.com`,
        phoneNumber: `(212) 555-01${n}`,
        e164: `+121255501${n}`,
      };
      await registerMember(sample, ada);
      await signIn(page, sample, ada);
      const account = page.getByRole('region', { name: 'You are signed in' });
      const app = account.getByRole('region', { name: 'Authenticator app' });
      expect(await visibleText(app.getByText('You have no authenticator app yet.'))).toBe(
        'You have no authenticator app yet.',
      );

      // Set up: a QR code of the otpauth:// URL, drawn in the page, and the key for typing.
      await app.getByRole('button', { name: 'Set up an authenticator app' }).click();
      const qr = app.getByRole('img', { name: 'QR code for your app' });
      await qr.locator('svg').waitFor();
      const key = await visibleText(app.locator('[data-totp-secret]'));
      expect(key).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{4})+$/);
      const secret = key.replaceAll(' ', '');
      const url =
        `otpauth://totp/members.example.com:${encodeURIComponent(ada.email)}` +
        `?secret=${secret}&issuer=members.example.com`;
      // The very modules the page draws with, from the URL the module answered.
      const drawn = await qr.locator('svg path').getAttribute('d');
      expect(drawn).toBe(/ d="([^"]+)"/.exec(renderSVG(url))![1]);
      const codeInput = app.locator('[data-step="totp-setup"]').getByLabel('Code from the app');
      expect(await eventually(() => isFocused(codeInput), true)).toBe(true);
      await shot('app-qr', { readme: true });

      const appCode = appCodes(secret);
      const first = await appCode();
      await codeInput.fill(wrong(first));
      await app.getByRole('button', { name: 'Turn on' }).click();
      expect(await errorOf(codeInput)).toBe('The confirmation code is incorrect.');
      await codeInput.fill(first);
      await app.getByRole('button', { name: 'Turn on' }).click();
      // The status line that says so (a busy machine may still show "Checking the code…" first).
      const on = app.getByRole('status').filter({ hasText: 'Your authenticator app is on.' });
      expect(await visibleText(on)).toBe(
        'Your authenticator app is on. Next time you sign in, choose it instead of a text message.',
      );
      expect(await visibleText(app.getByText('Your authenticator app is on:'))).toBe(
        'Your authenticator app is on: sign-in and confirmations can take its codes.',
      );
      expect(await app.locator('svg').count()).toBe(0);
      await shot('app-on');

      // Sign in choosing the app: nothing is sent to the phone; trust this browser.
      await account.getByRole('button', { name: 'Sign out' }).click();
      const login = page.getByRole('region', { name: 'Sign in', exact: true });
      await login.getByText('You are signed out.').waitFor();
      await login.getByLabel('Email').fill(ada.email);
      await login.getByLabel('Password').fill(PASSWORD);
      await login.getByLabel('Trust this device for 30 days').check();
      await login.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(login.getByText('Code sent to'))).toBe(
        'Code sent to the phone of your account',
      );
      const sent = sample.emulator.deliveries(ada.e164).length;
      await login.getByRole('button', { name: 'Use my authenticator app' }).click();
      expect(await visibleText(login.getByText('Type the 6-digit code'))).toBe(
        'Type the 6-digit code your authenticator app shows',
      );
      const loginCode = login.getByLabel('Confirmation code');
      expect(await eventually(() => isFocused(loginCode), true)).toBe(true);
      expect(await login.getByRole('button', { name: 'Use my authenticator app' }).isHidden()).toBe(
        true,
      );
      expect(sample.emulator.deliveries(ada.e164)).toHaveLength(sent);
      await shot('login-app', { readme: true });
      // The code's last digit signs in.
      await loginCode.fill(await appCode());
      expect(await visibleText(account.getByText('This browser is trusted for 30 days'))).toBe(
        'This browser is trusted for 30 days: it signs in without a code.',
      );
      const [device] = (await context.cookies()).filter((c) => c.name === 'otp_device');
      expect(device).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
      expect(await page.evaluate(() => document.cookie)).not.toContain('otp_device');

      // From the trusted browser: email and password alone, no code step.
      await account.getByRole('button', { name: 'Sign out' }).click();
      await login.getByText('You are signed out.').waitFor();
      await login.getByLabel('Email').fill(ada.email);
      await login.getByLabel('Password').fill(PASSWORD);
      const before = sample.emulator.deliveries(ada.e164).length;
      await login.getByRole('button', { name: 'Send code' }).click();
      expect(
        await visibleText(account.getByText('This browser is trusted: you are signed in')),
      ).toBe('This browser is trusted: you are signed in without a code.');
      expect(sample.emulator.deliveries(ada.e164)).toHaveLength(before);

      // The account lists the device as the sessions list shows a browser; forget it.
      const devices = account.getByRole('list', { name: 'Trusted devices' });
      const item = devices.getByRole('listitem');
      expect(await visibleText(item.locator('strong'))).toBe('Headless Chrome on Linux');
      expect(await visibleText(item.locator('.muted'))).toMatch(
        /^Trusted .+ · last used .+ · until .+$/,
      );
      await shot('devices', { readme: true });
      await item.getByRole('button', { name: /^Forget Headless Chrome on Linux/ }).click();
      expect(
        await visibleText(account.getByText('Headless Chrome on Linux is no longer trusted')),
      ).toBe('Headless Chrome on Linux is no longer trusted: it asks for a code at sign-in again.');
      expect(await visibleText(account.getByText('No device is trusted.'))).toBe(
        'No device is trusted.',
      );
      expect(await item.count()).toBe(0);

      // The code step is back: a code by text message this time.
      await account.getByRole('button', { name: 'Sign out' }).click();
      await login.getByText('You are signed out.').waitFor();
      await login.getByLabel('Email').fill(ada.email);
      await login.getByLabel('Password').fill(PASSWORD);
      const again = sample.emulator.deliveries(ada.e164).length;
      await login.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(login.getByText('Code sent to'))).toBe(
        'Code sent to the phone of your account',
      );
      expect(await visibleText(login.getByText('It expires in'))).toBe('It expires in 10 minutes.');
      expect(await login.getByLabel('Trust this device for 30 days').isChecked()).toBe(false);
      await loginCode.fill(await codeFor(sample.emulator, ada.e164, again));
      await account.getByRole('heading', { name: 'You are signed in' }).waitFor();

      // An older session confirms it is the member with the app, then makes recovery codes.
      await sample.app
        .get(DataSource)
        .query(
          'UPDATE otp_member_sessions SET created_at = created_at - 360000, verified_at = NULL',
        );
      const recovery = account.getByRole('region', { name: 'Recovery codes' });
      await recovery.getByRole('button', { name: 'Make recovery codes' }).click();
      const reverify = page.getByRole('region', { name: 'Confirm it is you' });
      const heading = reverify.getByRole('heading', { name: 'Confirm it is you' });
      expect(await eventually(() => isFocused(heading), true)).toBe(true);
      const choice = reverify.getByLabel('Use my authenticator app');
      await choice.check();
      const sentBefore = sample.emulator.deliveries(ada.e164).length;
      await reverify.getByRole('button', { name: 'Continue' }).click();
      expect(await visibleText(reverify.getByText('Type the 6-digit code'))).toBe(
        'Type the 6-digit code your authenticator app shows',
      );
      await shot('reverify-app');
      const reverifyCode = reverify.getByLabel('Confirmation code');
      await reverifyCode.fill(await appCode());
      const codes = recovery
        .getByRole('list', { name: 'Your recovery codes' })
        .getByRole('listitem');
      await codes.nth(9).waitFor();
      expect(await reverify.count()).toBe(0);
      expect(sample.emulator.deliveries(ada.e164)).toHaveLength(sentBefore);

      // Remove the app, with a code from it; a wrong one is refused under the field.
      const removeCode = app.locator('[data-step="totp-remove"]').getByLabel('Code from the app');
      const last = await appCode();
      await removeCode.fill(wrong(last));
      await app.getByRole('button', { name: 'Remove' }).click();
      expect(await errorOf(removeCode)).toBe('The confirmation code is incorrect.');
      await removeCode.fill(last);
      await app.getByRole('button', { name: 'Remove' }).click();
      expect(await visibleText(app.getByText('Your authenticator app is removed'))).toBe(
        'Your authenticator app is removed: codes come to your phone again.',
      );
      expect(await visibleText(app.getByText('You have no authenticator app yet.'))).toBe(
        'You have no authenticator app yet.',
      );
      expect(
        await app.getByRole('button', { name: 'Set up an authenticator app' }).isVisible(),
      ).toBe(true);
      await shot('app-removed');

      // Sign-in no longer offers the app.
      await account.getByRole('button', { name: 'Sign out' }).click();
      await login.getByText('You are signed out.').waitFor();
      await login.getByLabel('Email').fill(ada.email);
      await login.getByLabel('Password').fill(PASSWORD);
      await login.getByRole('button', { name: 'Send code' }).click();
      await login.getByText('Code sent to').waitFor();
      expect(await login.getByRole('button', { name: 'Use my authenticator app' }).isHidden()).toBe(
        true,
      );
    },
    APP_TEST_TIMEOUT_MS,
  );
});

describe.each([
  ['1280 px', DESKTOP],
  ['375 px', PHONE],
])('Sample page at %s: the resend timer', (width, viewport) => {
  // The module's default: one code per phone every 30 seconds.
  const t = useBrowserSuite({ otp: { rateLimit: { sendCooldownSeconds: 30 } } }, viewport);

  it('counts down from the moment a code is sent, with the resend button disabled', async () => {
    const { page, sample } = t;
    const n = width === '1280 px' ? '91' : '92';
    const e164 = `+1646555019${n.at(-1)}`;
    await page.goto(`${sample.url}/#phone`);
    const phone = page.getByRole('region', { name: 'Sign in with your phone' });
    await phone.getByLabel('Phone number').fill(`(646) 555-019${n.at(-1)}`);
    await phone.getByRole('button', { name: 'Send code' }).click();
    expect(await visibleText(phone.getByText('Code sent to'))).toBe(
      `Code sent to +1 (646) 555-019${n.at(-1)}`,
    );
    expect(await visibleText(phone.getByText('It expires in'))).toBe('It expires in 10 minutes.');
    const timer = phone.getByText(/^Resend code in /);
    const shown = await visibleText(timer);
    expect(shown).toMatch(/^Resend code in 0:(30|29|28|27|26|25)$/);
    const resend = phone.getByRole('button', { name: 'Call me instead' });
    expect(await resend.isDisabled()).toBe(true);
    if (width === '1280 px') await snap(page, SUITE, 'resend-timer');
    // A second later it shows less.
    const seconds = (text: string) => Number(/0:(\d\d)$/.exec(text)?.[1]);
    const later = await eventually(
      async () => seconds(await timer.innerText()) < seconds(shown),
      true,
      5_000,
    );
    expect(later).toBe(true);
    expect(sample.emulator.deliveries(e164)).toHaveLength(1);
  }, 60_000);
});
