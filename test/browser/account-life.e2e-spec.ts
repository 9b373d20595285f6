import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { DESKTOP, PHONE, TEST_TIMEOUT_MS } from './support/chromium.js';
import { PASSWORD, registerMember, signIn } from './support/flows.js';
import { errorOf, eventually, isFocused, snap, visibleText } from './support/page.js';
import { codeFor, type RunningSample } from './support/sample-server.js';
import { useBrowserSuite } from './support/suite.js';

const SUITE = 'account-life';
const ADMIN_TOKEN = 'a-long-admin-token-for-the-browser-suite';
const RECOVERY_CODE = /^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/;

/** Signs in through the page's phone sign-in (a new number gets an account). */
async function signInByPhone(
  page: Page,
  sample: RunningSample,
  member: { phoneNumber: string; e164: string },
): Promise<void> {
  await page.goto(`${sample.url}/#phone`);
  const phone = page.getByRole('region', { name: 'Sign in with your phone' });
  await phone.getByLabel('Phone number').fill(member.phoneNumber);
  const sent = sample.emulator.deliveries(member.e164).length;
  await phone.getByRole('button', { name: 'Send code' }).click();
  await phone
    .getByLabel('Confirmation code')
    .fill(await codeFor(sample.emulator, member.e164, sent));
  await page.getByRole('heading', { name: 'You are signed in' }).waitFor();
}

/** A passwordless member made over HTTP (no browser). */
async function phoneMember(sample: RunningSample, phoneNumber: string, e164: string) {
  const post = async (path: string, body: object) => {
    const response = await fetch(`${sample.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  };
  const sent = sample.emulator.deliveries(e164).length;
  await post('/auth/otp/send', { countryCode: 'US', phoneNumber, channel: 'sms' });
  await post('/auth/otp/login', {
    countryCode: 'US',
    phoneNumber,
    confirmationCode: await codeFor(sample.emulator, e164, sent),
  });
}

/** Makes ten recovery codes in the account view and answers them as the page shows them. */
async function makeRecoveryCodes(page: Page): Promise<string[]> {
  const recovery = page.getByRole('region', { name: 'Recovery codes' });
  await recovery.getByRole('button', { name: 'Make recovery codes' }).click();
  const codes = recovery.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem');
  await codes.nth(9).waitFor();
  return (await codes.allInnerTexts()).map((code) => code.trim());
}

describe.each([
  ['1280 px', DESKTOP],
  ['375 px', PHONE],
])("Sample page at %s: a member's whole life", (width, viewport) => {
  // Many sends from one address and one range of numbers within seconds.
  const t = useBrowserSuite(
    {
      env: { SAMPLE_ADMIN_TOKEN: ADMIN_TOKEN },
      otp: {
        rateLimit: { sendCooldownSeconds: false, sendsPerIp: false, sendsPerRange: false },
      },
    },
    viewport,
  );
  // Screenshots are taken at both widths by snap(); the 375 px pass checks the flows by touch size.
  const shot = (name: string, options?: { readme?: boolean }) =>
    width === '1280 px' ? snap(t.page, SUITE, name, options) : Promise.resolve();

  it(
    "changes a two-factor member's phone with a code to the new number and the current password",
    async () => {
      const { page, sample } = t;
      const lin = { email: 'lin@example.com', phoneNumber: '(415) 555-0131', e164: '+14155550131' };
      const taken = { email: 'ravi@example.com', phoneNumber: '(415) 555-0133' };
      await registerMember(sample, lin);
      await registerMember(sample, { ...taken, e164: '+14155550133' });
      await signIn(page, sample, lin);

      const account = page.getByRole('region', { name: 'You are signed in' });
      const change = page.getByRole('region', { name: 'Change phone' });
      const number = change.getByLabel('New phone number');
      await number.fill(taken.phoneNumber);
      await change.getByRole('button', { name: 'Send code' }).click();
      expect(await errorOf(number)).toBe(
        'This email or phone number is already registered. Sign in instead',
      );
      expect(sample.emulator.deliveries('+14155550133')).toHaveLength(1); // the sign-up's only

      const e164 = '+14155550132';
      await number.fill('(415) 555-0132');
      await change.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(change.getByText('Code sent to'))).toBe(
        'Code sent to +1 (415) 555-0132',
      );
      const code = change.getByLabel('Confirmation code');
      expect(await eventually(() => isFocused(code), true)).toBe(true);
      await code.fill(await codeFor(sample.emulator, e164));
      const password = change.getByLabel('Current password');
      await password.fill('not her password');
      await change.getByRole('button', { name: 'Change phone' }).click();
      expect(await errorOf(password)).toBe('The email or password is incorrect.');
      await shot('phone-change-code');

      await password.fill(PASSWORD);
      await change.getByRole('button', { name: 'Change phone' }).click();
      const notice = account.getByRole('status').filter({ hasText: 'Your phone is now' });
      expect(await visibleText(notice)).toBe(
        'Your phone is now +1 (415) 555-0132. Your other sessions are signed out.',
      );
      expect(await eventually(() => isFocused(notice), true)).toBe(true);
      expect(await visibleText(account.locator('dd').nth(1))).toBe('+1 (415) 555-0132');
      // The sign-up's session (over HTTP) is revoked; this browser's stays.
      const sessions = page.getByRole('list', { name: 'Your sessions' }).getByRole('listitem');
      await sessions.nth(1).waitFor({ state: 'detached' });
      expect(await sessions.allInnerTexts()).toEqual([expect.stringContaining('This browser')]);
      expect(await change.getByLabel('Confirmation code').isVisible()).toBe(false);
      await shot('phone-changed');

      // The new number signs in; the old one is no one's.
      await account.getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, sample, { email: lin.email, e164 });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "changes a two-factor member's email with a code to the phone and the current password",
    async () => {
      const { page, sample } = t;
      const mae = { email: 'mae@example.com', phoneNumber: '(503) 555-0141', e164: '+15035550141' };
      const taken = { email: 'kay@example.com', phoneNumber: '(503) 555-0142' };
      await registerMember(sample, mae);
      await registerMember(sample, { ...taken, e164: '+15035550142' });
      await signIn(page, sample, mae);

      const change = page.getByRole('region', { name: 'Change email' });
      await change.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(change.getByText('Code sent to'))).toBe(
        'Code sent to the phone of your account',
      );
      await change
        .getByLabel('Confirmation code')
        .fill(await codeFor(sample.emulator, mae.e164, 1));
      const email = change.getByLabel('New email');
      await email.fill('mae@members.example.com');
      await change.getByLabel('Current password').fill(PASSWORD);
      await change.getByRole('button', { name: 'Change email' }).click();
      expect(await errorOf(email)).toBe('This email address cannot be used. Enter another one.');
      expect(await email.getAttribute('aria-invalid')).toBe('true');
      await shot('email-change-refused');

      await email.fill(taken.email);
      await change.getByRole('button', { name: 'Change email' }).click();
      expect(await errorOf(email)).toBe(
        'This email or phone number is already registered. Sign in instead',
      );

      // "Already registered" is told only to the right code, which it spends: a new one is sent,
      // and the form submits itself on its last digit.
      await email.fill('mae.jemison@example.com');
      await change.getByRole('button', { name: 'Resend by SMS' }).click();
      await change
        .getByLabel('Confirmation code')
        .fill(await codeFor(sample.emulator, mae.e164, 3));
      const account = page.getByRole('region', { name: 'You are signed in' });
      expect(
        await visibleText(account.getByRole('status').filter({ hasText: 'Your email is now ma' })),
      ).toBe('Your email is now mae.jemison@example.com. Your other sessions are signed out.');
      expect(await visibleText(account.locator('dd').first())).toBe('mae.jemison@example.com');
      await shot('email-changed');

      await account.getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, sample, { email: 'mae.jemison@example.com', e164: mae.e164 });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'makes recovery codes shown once with a copy button, then signs in with one and leads to a new phone',
    async () => {
      const { context, page, sample } = t;
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: sample.url,
      });
      const ida = { email: 'ida@example.com', phoneNumber: '(617) 555-0151', e164: '+16175550151' };
      await registerMember(sample, ida);
      await signIn(page, sample, ida);

      const recovery = page.getByRole('region', { name: 'Recovery codes' });
      expect(await visibleText(recovery.getByText('You have no recovery codes'))).toBe(
        'You have no recovery codes yet.',
      );
      const codes = await makeRecoveryCodes(page);
      expect(codes).toHaveLength(10);
      for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
      expect(new Set(codes).size).toBe(10);
      const shownOnce = recovery.getByText('These ten codes are shown once');
      expect(await visibleText(shownOnce)).toContain('copy them now');
      expect(await eventually(() => isFocused(shownOnce), true)).toBe(true);
      expect(await visibleText(recovery.getByText(/recovery codes left/))).toMatch(
        /^10 of 10 recovery codes left, made /,
      );
      await recovery.getByRole('button', { name: 'Copy codes' }).click();
      expect(await visibleText(recovery.getByText('copied'))).toBe('The ten codes are copied.');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(codes.join('\n'));
      await shot('recovery-codes', { readme: true });

      await recovery.getByRole('button', { name: 'I saved them' }).click();
      expect(await recovery.getByRole('list', { name: 'Your recovery codes' }).count()).toBe(0);
      expect(await page.getByText(codes[0]).count()).toBe(0);

      const account = page.getByRole('region', { name: 'You are signed in' });
      await account.getByRole('button', { name: 'Sign out' }).click();
      const login = page.getByRole('region', { name: 'Sign in', exact: true });
      await login.getByLabel('Email').fill(ida.email);
      await login.getByLabel('Password').fill(PASSWORD);
      await login.getByRole('button', { name: 'Use a recovery code' }).click();
      const recoveryCode = login.getByLabel('Recovery code');
      expect(await eventually(() => isFocused(recoveryCode), true)).toBe(true);
      await recoveryCode.fill(codes[0].toLowerCase());
      await shot('login-recovery');
      const sentBefore = sample.emulator.deliveries(ida.e164).length;
      await login.getByRole('button', { name: 'Sign in with the recovery code' }).click();

      expect(
        await visibleText(account.getByRole('status').filter({ hasText: 'You are signed in wi' })),
      ).toBe(
        'You are signed in with a recovery code; you have 9 recovery codes left. ' +
          'If you lost your phone, set your new number below.',
      );
      const change = page.getByRole('region', { name: 'Change phone' });
      expect(await eventually(() => isFocused(change.getByLabel('New phone number')), true)).toBe(
        true,
      );
      expect(sample.emulator.deliveries(ida.e164)).toHaveLength(sentBefore); // nothing to the phone
      expect(await visibleText(recovery.getByText(/recovery codes left/))).toMatch(
        /^9 of 10 recovery codes left/,
      );
      await shot('recovered');

      const e164 = '+16175550152';
      await change.getByLabel('New phone number').fill('(617) 555-0152');
      await change.getByRole('button', { name: 'Send code' }).click();
      await change.getByLabel('Confirmation code').fill(await codeFor(sample.emulator, e164));
      await change.getByLabel('Current password').fill(PASSWORD);
      await change.getByRole('button', { name: 'Change phone' }).click();
      expect(
        await visibleText(account.getByRole('status').filter({ hasText: 'Your phone is now +1' })),
      ).toBe('Your phone is now +1 (617) 555-0152. Your other sessions are signed out.');

      // A code works once.
      await account.getByRole('button', { name: 'Sign out' }).click();
      await login.getByLabel('Email').fill(ida.email);
      await login.getByLabel('Password').fill(PASSWORD);
      await login.getByRole('button', { name: 'Use a recovery code' }).click();
      await recoveryCode.fill(codes[0]);
      await login.getByRole('button', { name: 'Sign in with the recovery code' }).click();
      expect(await errorOf(recoveryCode)).toBe('The confirmation code is incorrect.');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'signs a passwordless member in with a recovery code on the phone sign-in, then to a new phone without a password',
    async () => {
      const { page, sample } = t;
      const member = { phoneNumber: '(720) 555-0161', e164: '+17205550161' };
      await signInByPhone(page, sample, member);
      expect(await page.getByRole('region', { name: 'Change email' }).count()).toBe(0);
      const codes = await makeRecoveryCodes(page);
      const account = page.getByRole('region', { name: 'You are signed in' });
      await account.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();

      await page.goto(`${sample.url}/#phone`);
      const phone = page.getByRole('region', { name: 'Sign in with your phone' });
      await phone.getByLabel('Phone number').fill(member.phoneNumber);
      await phone.getByRole('button', { name: 'Use a recovery code' }).click();
      await phone.getByLabel('Recovery code').fill(codes[3]);
      await shot('phone-recovery');
      await phone.getByRole('button', { name: 'Sign in with the recovery code' }).click();
      expect(
        await visibleText(account.getByRole('status').filter({ hasText: 'you have 9 recovery ' })),
      ).toContain('you have 9 recovery codes left');
      const change = page.getByRole('region', { name: 'Change phone' });
      expect(await eventually(() => isFocused(change.getByLabel('New phone number')), true)).toBe(
        true,
      );

      const e164 = '+17205550162';
      await change.getByLabel('New phone number').fill('(720) 555-0162');
      await change.getByRole('button', { name: 'Send code' }).click();
      await change.getByLabel('Confirmation code').fill(await codeFor(sample.emulator, e164));
      expect(await change.getByLabel('Current password').isVisible()).toBe(false);
      expect(
        await visibleText(account.getByRole('status').filter({ hasText: 'Your phone is now +1' })),
      ).toBe('Your phone is now +1 (720) 555-0162. Your other sessions are signed out.');
      // The placeholder email follows the number.
      expect(await visibleText(account.locator('dd').first())).toBe(
        '17205550162@members.example.com\nA placeholder: you sign in with your phone.',
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'asks an older session to confirm it is the member, then makes the codes',
    async () => {
      const { page, sample } = t;
      const eve = { email: 'eve@example.com', phoneNumber: '(212) 555-0171', e164: '+12125550171' };
      await registerMember(sample, eve);
      await signIn(page, sample, eve);
      // As if every session had signed in six minutes ago.
      await sample.app
        .get(DataSource)
        .query(
          'UPDATE otp_member_sessions SET created_at = created_at - 360000, verified_at = NULL',
        );

      const recovery = page.getByRole('region', { name: 'Recovery codes' });
      await recovery.getByRole('button', { name: 'Make recovery codes' }).click();
      const reverify = page.getByRole('region', { name: 'Confirm it is you' });
      const heading = reverify.getByRole('heading', { name: 'Confirm it is you' });
      await heading.waitFor();
      expect(await eventually(() => isFocused(heading), true)).toBe(true);
      expect(await recovery.getByRole('list', { name: 'Your recovery codes' }).count()).toBe(0);
      await shot('reverify');

      const sent = sample.emulator.deliveries(eve.e164).length;
      await reverify.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(reverify.getByText('Code sent to'))).toBe(
        'Code sent to the phone of your account',
      );
      await reverify
        .getByLabel('Confirmation code')
        .fill(await codeFor(sample.emulator, eve.e164, sent));

      const codes = recovery
        .getByRole('list', { name: 'Your recovery codes' })
        .getByRole('listitem');
      await codes.nth(9).waitFor();
      expect(await codes.count()).toBe(10);
      expect(await reverify.count()).toBe(0);
      expect(await visibleText(recovery.getByText(/recovery codes left/))).toMatch(
        /^10 of 10 recovery codes left/,
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'deletes the account with a code and a confirmation, and signs out with a notice',
    async () => {
      const { page, sample } = t;
      const ned = { email: 'ned@example.com', phoneNumber: '(305) 555-0181', e164: '+13055550181' };
      await registerMember(sample, ned);
      await signIn(page, sample, ned);

      const remove = page.getByRole('region', { name: 'Delete account' });
      await remove.getByRole('button', { name: 'Send code' }).click();
      const code = remove.getByLabel('Confirmation code');
      expect(await eventually(() => isFocused(code), true)).toBe(true);
      await code.fill(await codeFor(sample.emulator, ned.e164, 2));
      const question = remove.getByText('Delete your account for good?');
      expect(await visibleText(question)).toBe(
        'Delete your account for good? This cannot be undone.',
      );
      expect(await eventually(() => isFocused(question), true)).toBe(true);
      await shot('delete-confirm', { readme: true });

      // Keeping it changes nothing.
      await remove.getByRole('button', { name: 'Keep my account' }).click();
      const account = page.getByRole('region', { name: 'You are signed in' });
      expect(
        await visibleText(account.getByRole('status').filter({ hasText: 'Your account is kept' })),
      ).toBe('Your account is kept.');

      await remove.getByRole('button', { name: 'Send code' }).click();
      await code.fill(await codeFor(sample.emulator, ned.e164, 3));
      await remove.getByRole('button', { name: 'Yes, delete my account' }).click();

      const login = page.getByRole('region', { name: 'Sign in', exact: true });
      const notice = login.getByRole('status').first();
      expect(await visibleText(notice)).toBe(
        'Your account is deleted, with its sessions and recovery codes.',
      );
      expect(await eventually(() => isFocused(notice), true)).toBe(true);
      await shot('deleted', { readme: true });

      await page.reload();
      await login.getByLabel('Email').fill(ned.email);
      await login.getByLabel('Password').fill(PASSWORD);
      await login.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(login.getByRole('alert').first())).toBe(
        'The email or password is incorrect.',
      );
      // The phone and email are free again.
      await registerMember(sample, ned);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'pages through members, searches, blocks, unblocks and deletes them in the admin view',
    async () => {
      const { page, sample } = t;
      for (let i = 0; i < 12; i += 1) {
        const last = String(100 + i).padStart(4, '0');
        await phoneMember(sample, `(646) 555-${last}`, `+1646555${last}`);
      }
      await page.goto(`${sample.url}/#admin`);
      const admin = page.getByRole('region', { name: 'Members', exact: true });
      await admin.getByLabel('Admin token').fill(ADMIN_TOKEN);
      // The other tests' members are there too: the numbers of this one, by the start of a phone.
      await admin.getByLabel('Show').selectOption({ label: 'All members' });
      await admin.getByLabel('Search').fill('+1 646 555');
      await admin.getByRole('button', { name: 'Show members' }).click();
      const list = admin.getByRole('list', { name: 'Members', exact: true });
      const rows = list.getByRole('listitem');
      await rows.nth(9).waitFor();
      expect(await rows.count()).toBe(10);
      expect(await visibleText(admin.getByText(/^Showing/))).toBe(
        'Showing 10 members; more to load.',
      );
      await shot('admin-page', { readme: true });

      await admin.getByRole('button', { name: 'Load more' }).click();
      await rows.nth(11).waitFor();
      expect(await rows.count()).toBe(12);
      expect(await visibleText(admin.getByText(/^Showing/))).toBe('Showing 12 members.');
      expect(await admin.getByRole('button', { name: 'Load more' }).isVisible()).toBe(false);
      const texts = await rows.allInnerTexts();
      expect(new Set(texts).size).toBe(12);
      expect(texts[11]).toContain('16465550111@members.example.com');

      const email = '16465550105@members.example.com';
      await admin.getByLabel('Search').fill('+1 (646) 555-0105');
      await admin.getByRole('button', { name: 'Show members' }).click();
      await rows.nth(1).waitFor({ state: 'detached' });
      expect(await rows.allInnerTexts()).toEqual([expect.stringContaining(email)]);
      await admin.getByRole('button', { name: `Block ${email}` }).click();
      const notice = admin.getByRole('status').filter({ hasText: email });
      expect(await visibleText(notice)).toBe(`${email} is blocked.`);
      expect(await eventually(() => isFocused(notice), true)).toBe(true);
      expect(await visibleText(rows.first())).toContain('Blocked');

      await admin.getByLabel('Search').fill('');
      await admin.getByLabel('Show').selectOption({ label: 'Blocked' });
      await admin.getByRole('button', { name: 'Show members' }).click();
      const blocked = admin.getByRole('list', { name: 'Blocked members' });
      await blocked.waitFor();
      expect(await blocked.getByRole('listitem').allInnerTexts()).toEqual([
        expect.stringContaining(email),
      ]);
      await shot('admin-blocked', { readme: true });
      await admin.getByRole('button', { name: `Unblock ${email}` }).click();
      expect(await visibleText(admin.getByText('No blocked members.'))).toBe('No blocked members.');
      expect(await visibleText(notice)).toBe(`${email} is unblocked.`);

      await admin.getByLabel('Show').selectOption({ label: 'All members' });
      await admin.getByLabel('Search').fill('1646555010');
      await admin.getByRole('button', { name: 'Show members' }).click();
      await rows.nth(9).waitFor();
      expect(await rows.count()).toBe(10); // 0100 to 0109
      await admin.getByRole('button', { name: `Delete ${email}` }).click();
      const question = admin.getByText(`Delete ${email} for good, with their sessions?`);
      expect(await eventually(() => isFocused(question), true)).toBe(true);
      await shot('admin-delete-confirm');
      await admin.getByRole('button', { name: `Cancel, keep ${email}` }).click();
      expect(
        await eventually(
          () => isFocused(admin.getByRole('button', { name: `Delete ${email}` })),
          true,
        ),
      ).toBe(true);
      await admin.getByRole('button', { name: `Delete ${email}` }).click();
      await admin.getByRole('button', { name: `Yes, delete ${email}` }).click();
      expect(await visibleText(notice)).toBe(`${email} is deleted.`);
      await rows.nth(9).waitFor({ state: 'detached' });
      expect(await rows.count()).toBe(9);
      expect(await list.getByText(email).count()).toBe(0);

      // Gone for good: the number signs up afresh.
      await signInByPhone(page, sample, { phoneNumber: '(646) 555-0105', e164: '+16465550105' });
      expect(
        await visibleText(
          page
            .getByRole('region', { name: 'You are signed in' })
            .getByRole('status')
            .filter({ hasText: 'Welcome' }),
        ),
      ).toBe('Welcome! Your account is ready.');
    },
    TEST_TIMEOUT_MS,
  );
});
