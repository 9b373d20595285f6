import type { Page } from 'playwright-core';
import { PHONE, TEST_TIMEOUT_MS } from './support/chromium.js';
import {
  aboveTheFold,
  eventually,
  isFocused,
  primaryButtons,
  snap,
  visibleText,
} from './support/page.js';
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
    'sends a code, collapses the details, counts down before a call may be asked for, and signs a new member in on the last digit',
    async () => {
      const { page, sample } = t;
      const e164 = '+16465550150';
      await page.goto(`${sample.url}/#phone`);
      const phone = page.getByRole('region', { name: 'Sign in with your phone' });
      await phone.waitFor();
      // An example number of the chosen country, tied to the field.
      expect(await visibleText(phone.getByText(/^For example/))).toBe('For example (201) 555-0123');
      expect(await phone.getByLabel('Phone number').getAttribute('aria-describedby')).toBe(
        'phone-phone-example',
      );
      await snap(page, SUITE, 'phone', { readme: true });

      await tabTo(page, 'Country');
      expect(
        await page.evaluate(
          () => (document.activeElement as HTMLSelectElement).selectedOptions[0].text,
        ),
      ).toBe('United States (+1)');
      await tabTo(page, 'Phone number');
      await page.keyboard.type('6465550150');
      await page.keyboard.press('Enter');

      // One step at a time: the details collapse into one line, the code is the one action.
      const sentLine = phone.getByText('Code sent to');
      expect(await visibleText(sentLine)).toBe('Code sent to +1 (646) 555-0150');
      expect(await phone.locator('form[data-step="details"]').isHidden()).toBe(true);
      const codeInput = phone.getByLabel('Confirmation code');
      expect(await isFocused(codeInput)).toBe(true);
      expect(await codeInput.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await codeInput.getAttribute('inputmode')).toBe('numeric');
      expect(await aboveTheFold(codeInput)).toBe(true);
      expect(await aboveTheFold(phone.getByRole('button', { name: 'Sign in' }))).toBe(true);
      expect(await primaryButtons(phone)).toEqual(['Sign in']);
      await snap(page, SUITE, 'phone-code', { readme: true });

      // From the moment the code is sent, the page counts down the wait the send answered.
      const call = phone.getByRole('button', { name: 'Call me instead' });
      const sms = phone.getByRole('button', { name: 'Resend by SMS' });
      expect(await visibleText(phone.getByText(/^Resend code in /))).toMatch(
        /^Resend code in 0:0[1-5]$/,
      );
      expect(await call.isDisabled()).toBe(true);
      expect(await sms.isDisabled()).toBe(true);
      expect(await phone.getByRole('button', { name: /WhatsApp/ }).count()).toBe(0);
      expect(await isFocused(codeInput)).toBe(true);
      await snap(page, SUITE, 'phone-cooldown');

      // "Change" opens the details again, the number shown in its national format.
      await tabTo(page, 'Change');
      await page.keyboard.press('Enter');
      const number = phone.getByLabel('Phone number');
      expect(await number.inputValue()).toBe('(646) 555-0150');
      expect(await codeInput.isHidden()).toBe(true);

      // Sending again at once: the module's cooldown answers, and the page counts down its
      // Retry-After on that button and in the message.
      await tabTo(page, 'Send code');
      await page.keyboard.press('Enter');
      const alert = phone.getByRole('alert').first();
      expect(await visibleText(alert)).toMatch(
        /^Too many attempts\. Try again later\. You can try again in [1-5] seconds?\.$/,
      );
      const send = phone.getByRole('button', { name: /^Send code/ });
      expect(await send.isDisabled()).toBe(true);
      expect(await send.innerText()).toMatch(/^Send code \(in [1-5] s\)$/);
      expect(await isFocused(number)).toBe(true);
      await snap(page, SUITE, 'phone-retry-after', { readme: true });

      // Another number is not what the wait was about: the button comes back as it is typed.
      await page.keyboard.press('End');
      await page.keyboard.press('Backspace');
      expect(await send.isEnabled()).toBe(true);
      expect(await send.innerText()).toBe('Send code');
      expect(await phone.getByRole('alert').first().isHidden()).toBe(true);
      await page.keyboard.type('0');

      // The same number once the cooldown is over.
      await page.keyboard.press('Enter');
      await eventually(
        async () => {
          const text = await phone.locator('form[data-step="details"] .form-error').innerText();
          return text.endsWith('You can try again now.') || (await sentLine.isVisible());
        },
        true,
        10_000,
      );
      if (!(await sentLine.isVisible())) {
        await eventually(() => send.isEnabled(), true);
        await send.click();
      }
      expect(await visibleText(sentLine)).toBe('Code sent to +1 (646) 555-0150');

      await phone.getByText(/^Resend code in /).waitFor({ state: 'hidden', timeout: 10_000 });
      expect(await call.isEnabled()).toBe(true);
      await tabTo(page, 'Call me instead');
      await page.keyboard.press('Enter');
      expect(await visibleText(phone.getByText('Calling'))).toBe(
        'Calling +1 (646) 555-0150 with your code',
      );
      expect(sample.emulator.deliveries(e164).map((delivery) => delivery.channel)).toEqual([
        'sms',
        'sms',
        'call',
      ]);
      expect(await isFocused(codeInput)).toBe(true);
      // The last digit sends the form: no Enter, no click.
      await page.keyboard.type(await codeFor(sample.emulator, e164, 2));

      const account = page.getByRole('region', { name: 'You are signed in' });
      expect(await visibleText(account.getByText('Welcome!'))).toBe(
        'Welcome! Your account is ready.',
      );
      // The phone-only member's email is a placeholder, and says so; the phone as people write it.
      expect(await visibleText(account.locator('dd').first())).toBe(
        '16465550150@members.example.com\nA placeholder: you sign in with your phone.',
      );
      expect(await visibleText(account.locator('dd').nth(1))).toBe('+1 (646) 555-0150');
      expect(await visibleText(account.locator('dd').nth(2))).toBe('Active');
      await snap(page, SUITE, 'signed-in', { readme: true });

      await tabTo(page, 'Sign out');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    },
    TEST_TIMEOUT_MS,
  );
});
