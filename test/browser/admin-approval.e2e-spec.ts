import { TEST_TIMEOUT_MS } from './support/chromium.js';
import { PASSWORD, registerMember, signIn } from './support/flows.js';
import { errorOf, snap, visibleText } from './support/page.js';
import { codeFor } from './support/sample-server.js';
import { useBrowserSuite } from './support/suite.js';

const SUITE = 'admin-approval';
const ADMIN_TOKEN = 'a-long-admin-token-for-the-browser-suite';

describe('Sample page: manual approval through the admin view', () => {
  const t = useBrowserSuite({
    env: { OTP_APPROVAL: 'manual', SAMPLE_ADMIN_TOKEN: ADMIN_TOKEN },
    otp: { rateLimit: { sendCooldownSeconds: false } },
  });

  it(
    'a sign-up waits for approval until an admin approves it; a blocked one never gets in',
    async () => {
      const { page, sample } = t;
      const emmy = { email: 'emmy@example.com', e164: '+17185550111' };
      await page.goto(`${sample.url}/#register`);
      const register = page.getByRole('region', { name: 'Create your account' });
      await register.getByLabel('Email').fill(emmy.email);
      await register.getByLabel('Password').fill(PASSWORD);
      await register.getByLabel('Phone number').fill('(718) 555-0111');
      await register.getByRole('button', { name: 'Send code' }).click();
      await register
        .getByLabel('Confirmation code')
        .fill(await codeFor(sample.emulator, emmy.e164));
      expect(
        await visibleText(register.getByRole('heading', { name: /waiting for approval/ })),
      ).toBe('Thanks! Your membership is waiting for approval.');
      expect(await register.getByRole('button', { name: 'Register' }).isVisible()).toBe(false);
      await snap(page, SUITE, 'register-pending', { readme: true });

      await page.getByRole('link', { name: 'Sign in', exact: true }).first().click();
      const login = page.getByRole('region', { name: 'Sign in', exact: true });
      await login.getByLabel('Email').fill(emmy.email);
      await login.getByLabel('Password').fill(PASSWORD);
      await login.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(login.getByRole('alert').first())).toBe(
        'Your membership is waiting for approval.',
      );
      expect(sample.emulator.deliveries(emmy.e164)).toHaveLength(1); // no code to a pending member
      await snap(page, SUITE, 'login-pending', { readme: true });

      const mallory = { email: 'mallory@example.com', e164: '+19295550112' };
      await registerMember(sample, { ...mallory, phoneNumber: '(929) 555-0112' });

      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Admin' })
        .click();
      const admin = page.getByRole('region', { name: 'Members', exact: true });
      const token = admin.getByLabel('Admin token');
      await token.fill('not-the-admin-token');
      await admin.getByRole('button', { name: 'Show members' }).click();
      expect(await errorOf(token)).toBe('The admin token is missing or incorrect.');
      await snap(page, SUITE, 'admin-wrong-token');

      await token.fill(ADMIN_TOKEN);
      await admin.getByRole('button', { name: 'Show members' }).click();
      const pending = admin.getByRole('list', { name: 'Members waiting for approval' });
      await pending.getByRole('listitem').nth(1).waitFor();
      expect(await pending.getByRole('listitem').allInnerTexts()).toEqual([
        expect.stringContaining(emmy.email),
        expect.stringContaining(mallory.email),
      ]);
      await snap(page, SUITE, 'admin-pending', { readme: true });

      await admin.getByRole('button', { name: `Approve ${emmy.email}` }).click();
      expect(await visibleText(admin.getByText(`${emmy.email} is approved.`))).toBe(
        'emmy@example.com is approved.',
      );
      // The list is drawn again after the message: wait for the second item to go.
      await pending.getByRole('listitem').nth(1).waitFor({ state: 'detached' });
      expect(await pending.getByRole('listitem').allInnerTexts()).toEqual([
        expect.stringContaining(mallory.email),
      ]);
      await admin.getByRole('button', { name: `Block ${mallory.email}` }).click();
      expect(await visibleText(admin.getByText('No one is waiting for approval.'))).toBe(
        'No one is waiting for approval.',
      );
      expect(await visibleText(admin.getByRole('status').filter({ hasText: 'blocked' }))).toBe(
        'mallory@example.com is blocked.',
      );
      await snap(page, SUITE, 'admin-done');

      await signIn(page, sample, emmy);
      const account = page.getByRole('region', { name: 'You are signed in' });
      expect(await visibleText(account.locator('dd').nth(2))).toBe('Active');
      await account.getByRole('button', { name: 'Sign out' }).click();

      await login.getByLabel('Email').fill(mallory.email);
      await login.getByLabel('Password').fill(PASSWORD);
      await login.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(login.getByRole('alert').first())).toBe('This account is blocked.');
    },
    TEST_TIMEOUT_MS,
  );
});
