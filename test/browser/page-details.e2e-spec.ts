import request from 'supertest';
import { DESKTOP, PHONE, TEST_TIMEOUT_MS } from './support/chromium.js';
import { registerMember, signIn } from './support/flows.js';
import { shownOption, snap, visibleText } from './support/page.js';
import { codeFor } from './support/sample-server.js';
import { useBrowserSuite } from './support/suite.js';

const SUITE = 'page-details';
const ADMIN_TOKEN = 'an-admin-token-for-the-page-details';

describe.each([
  ['1280 px', DESKTOP],
  ['375 px', PHONE],
])('Sample page at %s: phone entry, codes, waits and notices', (width, viewport) => {
  const t = useBrowserSuite(
    {
      env: { SAMPLE_ADMIN_TOKEN: ADMIN_TOKEN },
      otp: {
        channels: ['sms', 'call', 'whatsapp'],
        rateLimit: {
          sendCooldownSeconds: false,
          sendsPerPhone: { limit: 2, windowSeconds: 3000 },
        },
      },
    },
    viewport,
  );
  // Every state is checked at both widths by snap(), and kept for the README.
  const shot = (name: string) =>
    width === '1280 px' ? snap(t.page, SUITE, name, { readme: true }) : Promise.resolve();
  // Each width has numbers of its own: the per-phone budget is the server's, shared by both.
  const n = width === '1280 px' ? '1' : '2';

  it(
    'finds a country by name or dial code, shows its example and the number in its national format, offers WhatsApp, and takes a pasted code with a dash',
    async () => {
      const { page, sample } = t;
      await page.goto(`${sample.url}/#phone`);
      const phone = page.getByRole('region', { name: 'Sign in with your phone' });
      const search = phone.getByLabel('Find a country by name or dial code');
      const country = phone.getByLabel('Country', { exact: true });
      const number = phone.getByLabel('Phone number');
      const example = phone.getByText(/^For example/);
      expect(await shownOption(country)).toBe('United States (+1)');

      await search.fill('+33');
      expect(await shownOption(country)).toBe('France (+33)');
      expect(await visibleText(example)).toMatch(/^For example 06 \d\d \d\d \d\d \d\d$/);
      await search.fill('united k');
      expect(await shownOption(country)).toBe('United Kingdom (+44)');
      expect(await visibleText(example)).toMatch(/^For example 07\d{3} \d{6}$/);
      await shot('country-search');

      await number.fill(`0740012345${n}`);
      await number.press('Tab');
      expect(await number.inputValue()).toBe(`07400 12345${n}`);
      await phone.getByRole('button', { name: 'Send code' }).click();
      expect(await visibleText(phone.getByText('Code sent to'))).toBe(
        `Code sent to +44 7400 12345${n}`,
      );
      expect(await phone.getByRole('button', { name: 'Send it by WhatsApp' }).isVisible()).toBe(
        true,
      );

      // A code pasted as "123-456" is taken as its digits, and the last one signs in.
      const code = await codeFor(sample.emulator, `+44740012345${n}`);
      await phone.getByLabel('Confirmation code').fill(`${code.slice(0, 3)}-${code.slice(3)}`);
      const account = page.getByRole('region', { name: 'You are signed in' });
      expect(await visibleText(account.locator('dd').nth(1))).toBe(`+44 7400 12345${n}`);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says a long wait in words and gives the button back for another number',
    async () => {
      const { page, sample } = t;
      const e164 = `+1201555017${n}`;
      await page.goto(`${sample.url}/#phone`);
      const phone = page.getByRole('region', { name: 'Sign in with your phone' });
      const number = phone.getByLabel('Phone number');
      const send = phone.getByRole('button', { name: /^Send code/ });
      await number.fill(`(201) 555-017${n}`);
      for (let sent = 0; sent < 2; sent += 1) {
        await send.click();
        await phone.getByText('Code sent to').waitFor();
        await phone.getByRole('button', { name: 'Change' }).click();
      }
      expect(sample.emulator.deliveries(e164)).toHaveLength(2);

      await send.click();
      const alert = phone.getByRole('alert').first();
      expect(await visibleText(alert)).toMatch(/You can try again in about 50 minutes\.$/);
      expect(await send.isDisabled()).toBe(true);
      await shot('long-wait');

      await number.fill(`(201) 555-018${n}`);
      expect(await send.isEnabled()).toBe(true);
      expect(await alert.isHidden()).toBe(true);
      expect(sample.emulator.deliveries(e164)).toHaveLength(2);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says so when the session was ended from elsewhere',
    async () => {
      const { page, sample, context } = t;
      const member = {
        email: `olga${n}@example.com`,
        phoneNumber: `(303) 555-014${n}`,
        e164: `+1303555014${n}`,
      };
      await registerMember(sample, member);
      await signIn(page, sample, member);

      const cookie = (await context.cookies()).find((c) => c.name === 'otp_session');
      expect(cookie).toBeDefined();
      await request(sample.url)
        .post('/auth/logout')
        .set('Cookie', `otp_session=${cookie!.value}`)
        .set('X-Requested-With', 'XMLHttpRequest')
        .expect(204);

      // Coming back to the tab checks the session.
      await page.evaluate(() => window.dispatchEvent(new Event('focus')));
      const login = page.getByRole('region', { name: 'Sign in', exact: true });
      expect(await visibleText(login.getByText('You were signed out'))).toBe(
        'You were signed out: this session was ended from another browser, or it expired. Sign in again.',
      );
      await shot('signed-out-elsewhere');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "sets a member's phone from the admin view",
    async () => {
      const { page, sample } = t;
      const email = `pia${n}@example.com`;
      await registerMember(sample, {
        email,
        phoneNumber: `(303) 555-015${n}`,
        e164: `+1303555015${n}`,
      });
      await page.goto(`${sample.url}/#admin`);
      const admin = page.getByRole('region', { name: 'Members', exact: true });
      await admin.getByLabel('Admin token').fill(ADMIN_TOKEN);
      await admin.getByLabel('Show').selectOption({ label: 'Approved' });
      await admin.getByLabel('Search').fill(email);
      await admin.getByRole('button', { name: 'Show members' }).click();
      const rows = admin.getByRole('list', { name: 'Approved members' }).getByRole('listitem');
      await rows.first().waitFor();
      expect(await rows.allInnerTexts()).toEqual([expect.stringContaining(email)]);

      await admin.getByRole('button', { name: `Set phone of ${email}` }).click();
      const form = admin.getByRole('form', { name: `New phone of ${email}` });
      await form.getByLabel('New phone number').fill(`(303) 555-016${n}`);
      await shot('admin-set-phone');
      await form.getByRole('button', { name: 'Save phone' }).click();
      const notice = admin.getByRole('status').filter({ hasText: `${email}'s phone is now` });
      expect(await visibleText(notice)).toBe(
        `${email}'s phone is now +1 (303) 555-016${n}; their sessions are signed out.`,
      );
      expect(await visibleText(rows.filter({ hasText: `(303) 555-016${n}` }))).toContain(email);
    },
    TEST_TIMEOUT_MS,
  );
});
