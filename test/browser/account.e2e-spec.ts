import { localContext, TEST_TIMEOUT_MS } from './support/chromium.js';
import { PASSWORD, registerMember, signIn } from './support/flows.js';
import { isFocused, snap, visibleText } from './support/page.js';
import { codeFor } from './support/sample-server.js';
import { useBrowserSuite } from './support/suite.js';

const SUITE = 'account';

describe('Sample page: password reset, sessions and moving between states', () => {
  // Several sends to one phone within seconds: no cooldown between two sends here.
  const t = useBrowserSuite({ otp: { rateLimit: { sendCooldownSeconds: false } } });

  it(
    'resets a forgotten password with a code, which signs out every session',
    async () => {
      const { browser, page, sample } = t;
      const member = { email: 'katherine@example.com', phoneNumber: '(617) 555-0100' };
      const e164 = '+16175550100';
      await registerMember(sample, { ...member, e164 });
      const elsewhere = await localContext(browser);
      const otherPage = await elsewhere.newPage();
      await signIn(otherPage, sample, { email: member.email, e164 });

      await page.goto(`${sample.url}/`);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      const reset = page.getByRole('region', { name: 'Reset your password' });
      await reset.getByLabel('Email').fill(member.email);
      // The new password comes first and is checked before a code is sent.
      await reset.getByLabel('New password').fill('a brand new passphrase');
      await snap(page, SUITE, 'reset');
      const sent = sample.emulator.deliveries(e164).length;
      await reset.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(reset.getByText('If an account uses this email'))).toBe(
        'If an account uses this email: code sent to its phone',
      );
      expect(await isFocused(reset.getByLabel('Confirmation code'))).toBe(true);
      await snap(page, SUITE, 'reset-code', { readme: true });
      // The last digit sets the password.
      await reset.getByLabel('Confirmation code').fill(await codeFor(sample.emulator, e164, sent));

      const login = page.getByRole('region', { name: 'Sign in', exact: true });
      expect(await visibleText(login.getByRole('status').first())).toBe(
        'Your password is changed and every session is signed out. Sign in with it.',
      );
      expect(await login.getByLabel('Email').inputValue()).toBe(member.email);
      await snap(page, SUITE, 'reset-done');

      await otherPage.reload();
      await otherPage.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
      await elsewhere.close();

      await login.getByLabel('Password').fill(PASSWORD);
      await login.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(login.getByRole('alert').first())).toBe(
        'The email or password is incorrect.',
      );
      await signIn(page, sample, { ...member, e164, password: 'a brand new passphrase' });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "lists the member's sessions and revokes another browser's",
    async () => {
      const { browser, page, sample } = t;
      const member = { email: 'dorothy@example.com', e164: '+12065550110' };
      await registerMember(sample, { ...member, phoneNumber: '(206) 555-0110' });
      const elsewhere = await localContext(browser);
      const otherPage = await elsewhere.newPage();
      await signIn(otherPage, sample, member);
      await signIn(page, sample, member);

      // Sign-up (over HTTP, no browser name), the other browser, and this one.
      const sessions = page.getByRole('list', { name: 'Your sessions' }).getByRole('listitem');
      await sessions.nth(2).waitFor();
      const listed = await sessions.allInnerTexts();
      expect(listed).toHaveLength(3);
      expect(listed).toEqual(
        expect.arrayContaining([
          expect.stringContaining('Unknown browser'),
          expect.stringMatching(/^Headless Chrome on Linux\s+Signed in/),
          expect.stringMatching(/^Headless Chrome on Linux\s+This browser/),
        ]),
      );
      await snap(page, SUITE, 'sessions', { readme: true });

      await page.getByRole('button', { name: /^Revoke Headless Chrome on Linux/ }).click();
      expect(await visibleText(page.getByText('Session ended'))).toBe(
        'Session ended: Headless Chrome on Linux. That browser is signed out.',
      );
      // The list is drawn again after the message: wait for the third item to go.
      await sessions.nth(2).waitFor({ state: 'detached' });
      const left = await sessions.allInnerTexts();
      expect(left).toHaveLength(2);
      expect(left).toEqual(
        expect.arrayContaining([
          expect.stringContaining('Unknown browser'),
          expect.stringContaining('This browser'),
        ]),
      );

      await otherPage.reload();
      await otherPage.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
      await elsewhere.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'moves between states without loading the page again, by mouse, keyboard and history',
    async () => {
      const { page, sample } = t;
      await page.goto(`${sample.url}/`);
      await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
      await page.evaluate(() => Object.assign(window, { sameDocument: true }));
      const nav = page.getByRole('navigation', { name: 'Main' });

      await nav.getByRole('link', { name: 'Create account' }).click();
      const heading = page.getByRole('heading', { name: 'Create your account' });
      expect(await isFocused(heading)).toBe(true);
      expect(await page.title()).toBe('Create your account · nestjs-otp sample');
      expect(
        await nav.getByRole('link', { name: 'Create account' }).getAttribute('aria-current'),
      ).toBe('page');

      await nav.getByRole('link', { name: 'Phone sign-in' }).focus();
      await page.keyboard.press('Enter');
      expect(await isFocused(page.getByRole('heading', { name: 'Sign in with your phone' }))).toBe(
        true,
      );
      await snap(page, SUITE, 'phone');

      await nav.getByRole('link', { name: 'Admin' }).click();
      expect(await visibleText(page.getByText('The admin routes are not mounted.'))).toContain(
        'SAMPLE_ADMIN_TOKEN',
      );
      await snap(page, SUITE, 'admin-off');

      await page.goBack();
      await page.getByRole('heading', { name: 'Sign in with your phone' }).waitFor();
      await page.goBack();
      await page.getByRole('heading', { name: 'Create your account' }).waitFor();
      expect(await page.evaluate(() => 'sameDocument' in window)).toBe(true);

      // Keyboard focus is always visible.
      await page.keyboard.press('Tab');
      const outline = await page.evaluate(
        () => getComputedStyle(document.activeElement as Element).outlineStyle,
      );
      expect(outline).toBe('solid');
    },
    TEST_TIMEOUT_MS,
  );
});
