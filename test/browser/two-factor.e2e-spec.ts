import { TEST_TIMEOUT_MS } from './support/chromium.js';
import { PASSWORD, registerMember } from './support/flows.js';
import { errorOf, isFocused, shownOption, snap, visibleText } from './support/page.js';
import { codeFor } from './support/sample-server.js';
import { useBrowserSuite } from './support/suite.js';

const SUITE = 'two-factor';

/** A code that is not `code`. */
const wrong = (code: string) => code.slice(0, -1) + ((Number(code.at(-1)) + 1) % 10);

describe('Sample page: two-factor sign-up and sign-in in a browser', () => {
  // The flows send to one phone several times within seconds: no cooldown between two sends
  // here (the page's countdown for it is tested with the passwordless flow).
  const t = useBrowserSuite({ otp: { rateLimit: { sendCooldownSeconds: false } } });

  it(
    'registers with a code to the phone, signs out, and signs in again with a code resent by call',
    async () => {
      const { context, page, sample } = t;
      const e164 = '+12125550142';
      await page.goto(`${sample.url}/#register`);
      const register = page.getByRole('region', { name: 'Create your account' });
      const country = register.getByLabel('Country', { exact: true });
      expect(await shownOption(country)).toBe('United States (+1)');
      expect(await country.locator('option', { hasText: 'France (+33)' }).count()).toBe(1);
      expect(await page.getByText('Development mode.').isVisible()).toBe(true);
      await snap(page, SUITE, 'register', { readme: true });

      await register.getByLabel('Email').fill('ada@example.com');
      await register.getByLabel('Password').fill(PASSWORD);
      await register.getByLabel('Phone number').fill('(212) 555-0142');
      await register.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(register.getByText('Code sent to'))).toBe(
        'Code sent to +1 (212) 555-0142',
      );
      const codeInput = register.getByLabel('Confirmation code');
      expect(await isFocused(codeInput)).toBe(true);
      const code = await codeFor(sample.emulator, e164);
      await snap(page, SUITE, 'register-code', { readme: true });

      await codeInput.fill(wrong(code));
      expect(await errorOf(codeInput)).toBe('The confirmation code is incorrect.');
      expect(await codeInput.getAttribute('aria-invalid')).toBe('true');
      await snap(page, SUITE, 'register-wrong-code', { readme: true });

      await codeInput.fill(code);
      const account = page.getByRole('region', { name: 'You are signed in' });
      expect(await visibleText(account.getByText('Welcome!'))).toBe(
        'Welcome! Your account is ready.',
      );
      expect(await visibleText(account.locator('dd').first())).toBe('ada@example.com');
      expect(await visibleText(account.getByRole('listitem'))).toContain('This browser');
      await snap(page, SUITE, 'signed-in');

      // The session is the module's HttpOnly cookie: out of reach of scripts, never in storage.
      const [cookie] = (await context.cookies()).filter((c) => c.name === 'otp_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
      expect(await page.evaluate(() => document.cookie)).not.toContain('otp_session');
      expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);

      await account.getByRole('link', { name: 'Open the members-only page' }).click();
      expect(await visibleText(page.getByRole('heading', { level: 1 }))).toBe('Members only');
      expect(await visibleText(page.getByRole('main'))).toContain('Welcome, ada@example.com.');
      await snap(page, SUITE, 'members-page');
      await page.goBack();

      await account.getByRole('button', { name: 'Sign out' }).click();
      const login = page.getByRole('region', { name: 'Sign in', exact: true });
      expect(await visibleText(login.getByText('You are signed out.'))).toBe('You are signed out.');
      await snap(page, SUITE, 'signed-out');
      await page.goto(`${sample.url}/members`);
      expect(await visibleText(page.getByRole('main'))).toContain('Sign in to continue.');

      await page.goto(`${sample.url}/`);
      await login.getByLabel('Email').fill('ada@example.com');
      await login.getByLabel('Password').fill(PASSWORD);
      await login.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(login.getByText('Code sent to'))).toBe(
        'Code sent to the phone of your account',
      );
      const loginCode = login.getByLabel('Confirmation code');
      expect(await isFocused(loginCode)).toBe(true);
      await snap(page, SUITE, 'login-code', { readme: true });

      await login.getByRole('button', { name: 'Call me instead' }).click();
      expect(await visibleText(login.getByText('Calling'))).toBe(
        'Calling the phone of your account with your code',
      );
      expect(sample.emulator.deliveries(e164).at(-1)?.channel).toBe('call');
      await loginCode.fill(await codeFor(sample.emulator, e164));
      expect(await visibleText(account.locator('dd').first())).toBe('ada@example.com');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'shows each error the API returns next to its field, or on its form',
    async () => {
      const { page, sample } = t;
      await registerMember(sample, {
        email: 'grace@example.com',
        phoneNumber: '(312) 555-0101',
        e164: '+13125550101',
      });
      await page.goto(`${sample.url}/#login`);
      const login = page.getByRole('region', { name: 'Sign in', exact: true });
      await login.getByLabel('Email').fill('grace@example.com');
      await login.getByLabel('Password').fill('not her password');
      await login.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(login.getByRole('alert'))).toBe(
        'The email or password is incorrect.',
      );
      await snap(page, SUITE, 'login-wrong-password', { readme: true });

      await page.getByRole('link', { name: 'Create account' }).click();
      const register = page.getByRole('region', { name: 'Create your account' });
      const email = register.getByLabel('Email');
      const phone = register.getByLabel('Phone number');
      const password = register.getByLabel('Password');
      const send = register.getByRole('button', { name: 'Send code' });
      // Checked on the page before anything is sent: an empty email, a bad one, a short password.
      await password.fill(PASSWORD);
      await phone.fill('(415) 555-0103');
      await send.click();
      expect(await errorOf(email)).toBe('Enter your email');
      expect(await isFocused(email)).toBe(true);
      await email.fill('not an email');
      await send.click();
      expect(await errorOf(email)).toBe('Enter a valid email address');
      expect(await isFocused(email)).toBe(true);
      await email.fill('linus@example.com');
      await password.fill('short');
      await send.click();
      expect(await errorOf(password)).toBe('Password must be at least 8 characters');
      expect(await isFocused(password)).toBe(true);
      await snap(page, SUITE, 'register-short-password', { readme: true });

      // The rest of the policy is the server's, still before a code is sent.
      await password.fill('password123');
      await send.click();
      expect(await errorOf(password)).toMatch(/common/i);
      expect(sample.emulator.deliveries('+14155550103')).toHaveLength(0);

      await password.fill(PASSWORD);
      await phone.fill('555');
      await send.click();
      expect(await errorOf(phone)).toBe(
        'This phone number is not a valid mobile number for the selected country.',
      );
      expect(await email.getAttribute('aria-invalid')).toBeNull();
      await snap(page, SUITE, 'register-invalid-phone');

      await phone.fill('(312) 555-0101');
      await send.click();
      expect(await visibleText(register.getByRole('alert').first())).toBe(
        'This email or phone number is already registered. Sign in instead',
      );
      expect(await visibleText(register.getByRole('link', { name: 'Sign in instead' }))).toBe(
        'Sign in instead',
      );

      await phone.fill('(415) 555-0103');
      await send.click();
      // The last digit registers: no click.
      await register
        .getByLabel('Confirmation code')
        .fill(await codeFor(sample.emulator, '+14155550103'));
      const account = page.getByRole('region', { name: 'You are signed in' });
      expect(await visibleText(account.locator('dd').first())).toBe('linus@example.com');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'disables the buttons and shows progress while a request is in flight',
    async () => {
      const { page, sample } = t;
      const e164 = '+14155550104';
      await registerMember(sample, {
        email: 'hedy@example.com',
        phoneNumber: '(415) 555-0104',
        e164,
      });
      await page.goto(`${sample.url}/#login`);
      const login = page.getByRole('region', { name: 'Sign in', exact: true });
      await login.getByLabel('Email').fill('hedy@example.com');
      await login.getByLabel('Password').fill(PASSWORD);
      sample.emulator.injectFault({ kind: 'delay', ms: 2_000 }, { times: 1 });
      const send = login.getByRole('button', { name: 'Send code' });
      await send.click();
      expect(await send.isDisabled()).toBe(true);
      expect(await visibleText(login.getByText('Sending code…'))).toBe('Sending code…');
      // A second Enter while the first request runs sends nothing more.
      await login.getByLabel('Password').press('Enter');
      await snap(page, SUITE, 'login-sending', { readme: true });

      // Once sent, the details step collapses: the code is the one action left.
      await login.getByLabel('Confirmation code').waitFor();
      expect(await send.isHidden()).toBe(true);
      expect(await visibleText(login.getByText('Code sent to'))).toMatch(/^Code sent to /);
      expect(await login.getByText('Sending code…').isVisible()).toBe(false);
      expect(sample.emulator.deliveries(e164)).toHaveLength(2); // sign-up, then this one
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'tells a member with a password that phone-only sign-in is not for them',
    async () => {
      const { page, sample } = t;
      const e164 = '+13055550177';
      await registerMember(sample, {
        email: 'mary@example.com',
        phoneNumber: '(305) 555-0177',
        e164,
      });
      await page.goto(`${sample.url}/#phone`);
      const phone = page.getByRole('region', { name: 'Sign in with your phone' });
      await phone.getByLabel('Phone number').fill('(305) 555-0177');
      await phone.getByRole('button', { name: 'Send code' }).click();
      await phone.getByLabel('Confirmation code').fill(await codeFor(sample.emulator, e164, 1));
      expect(await visibleText(phone.getByRole('alert').last())).toBe(
        'This account signs in with email, password and code. Use that sign-in instead. Sign in instead',
      );
    },
    TEST_TIMEOUT_MS,
  );
});
