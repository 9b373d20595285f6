import type { Page } from 'playwright-core';
import { PHONE, TEST_TIMEOUT_MS } from './support/chromium.js';
import { isFocused, snap, visibleText } from './support/page.js';
import { codeFor } from './support/sample-server.js';
import { useBrowserSuite } from './support/suite.js';

const SUITE = 'phone-login';

/** Presses Tab until the focused element is the one with this accessible label. */
async function tabTo(page: Page, label: string): Promise<void> {
  for (let presses = 0; presses < 30; presses++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      return element?.getAttribute('aria-label') ?? element?.innerText?.trim() ?? '';
    });
    const labelled = await page.evaluate(
      () =>
        (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.innerText.trim() ?? '',
    );
    if (focused === label || labelled === label) return;
  }
  throw new Error(`Tab never reached "${label}"`);
}

describe('Sample page: passwordless phone sign-in on a phone, with the keyboard alone', () => {
  // A short cooldown between two sends to one phone, so the page's countdown shows quickly.
  const t = useBrowserSuite({ otp: { rateLimit: { sendCooldownSeconds: 5 } } }, PHONE);

  it(
    'sends a code, counts down before a call may be asked for, and signs a new member in',
    async () => {
      const { page, sample } = t;
      const e164 = '+16465550150';
      await page.goto(`${sample.url}/#phone`);
      const phone = page.getByRole('region', { name: 'Sign in with your phone' });
      await phone.waitFor();
      await snap(page, SUITE, 'phone');

      await tabTo(page, 'Country');
      expect(
        await page.evaluate(
          () => (document.activeElement as HTMLSelectElement).selectedOptions[0].text,
        ),
      ).toBe('United States (+1)');
      await tabTo(page, 'Phone number');
      await page.keyboard.type('(646) 555-0150');
      await page.keyboard.press('Enter');
      expect(await visibleText(phone.getByText('We sent a code'))).toBe(
        'We sent a code by text message to +1 (646) 555-0150.',
      );
      const codeInput = phone.getByLabel('Confirmation code');
      expect(await isFocused(codeInput)).toBe(true);
      await snap(page, SUITE, 'phone-code');

      // From the moment the code is sent, the page counts down the wait the send answered.
      const resend = phone.getByRole('button', { name: 'Resend by phone call' });
      expect(await visibleText(phone.getByText(/^Resend code in /))).toMatch(
        /^Resend code in 0:0[1-5]$/,
      );
      expect(await resend.isDisabled()).toBe(true);
      expect(await isFocused(codeInput)).toBe(true);
      await snap(page, SUITE, 'phone-cooldown');

      // Sending again from the first step anyway: the module's cooldown answers, and the page
      // counts down its Retry-After on that button.
      await tabTo(page, 'Send code');
      await page.keyboard.press('Enter');
      expect(await visibleText(phone.getByRole('alert').first())).toMatch(
        /^Too many attempts\. Try again later\. You can try again in [1-5] seconds\.$/,
      );
      const send = phone.getByRole('button', { name: /^Send code/ });
      expect(await send.isDisabled()).toBe(true);
      expect(await send.innerText()).toMatch(/^Send code \(in [1-5] s\)$/);
      expect(await isFocused(phone.getByLabel('Phone number'))).toBe(true);
      await snap(page, SUITE, 'phone-retry-after');

      await phone.getByText(/^Resend code in /).waitFor({ state: 'hidden' });
      expect(await resend.isEnabled()).toBe(true);
      await tabTo(page, 'Resend by phone call');
      await page.keyboard.press('Enter');
      expect(await visibleText(phone.getByText('We are calling'))).toBe(
        'We are calling +1 (646) 555-0150 with your code.',
      );
      expect(sample.emulator.deliveries(e164).map((delivery) => delivery.channel)).toEqual([
        'sms',
        'call',
      ]);
      expect(await isFocused(codeInput)).toBe(true);
      await page.keyboard.type(await codeFor(sample.emulator, e164));
      await page.keyboard.press('Enter');

      const account = page.getByRole('region', { name: 'You are signed in' });
      expect(await visibleText(account.getByText('Welcome!'))).toBe(
        'Welcome! Your account is ready.',
      );
      expect(await visibleText(account.locator('dd').first())).toBe(
        '16465550150@members.example.com',
      );
      expect(await visibleText(account.locator('dd').nth(1))).toBe('+16465550150');
      await snap(page, SUITE, 'signed-in');

      await tabTo(page, 'Sign out');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    },
    TEST_TIMEOUT_MS,
  );
});
