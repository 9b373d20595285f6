import type { Page } from 'playwright-core';
import type { RunningSample } from './sample-server.js';
import { codeFor } from './sample-server.js';

export const PASSWORD = 'correct horse battery staple';

/** Registers a member over HTTP (no browser), for tests about what comes after sign-up. */
export async function registerMember(
  sample: RunningSample,
  member: { email: string; phoneNumber: string; e164: string; password?: string },
): Promise<void> {
  const post = async (path: string, body: object): Promise<Response> => {
    const response = await fetch(`${sample.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return response;
  };
  const details = { email: member.email, phoneNumber: member.phoneNumber, countryCode: 'US' };
  const sent = sample.emulator.deliveries(member.e164).length;
  await post('/auth/2fa/register/send', { ...details, channel: 'sms' });
  await post('/auth/2fa/register', {
    ...details,
    password: member.password ?? PASSWORD,
    confirmationCode: await codeFor(sample.emulator, member.e164, sent),
  });
}

/** Signs in through the page's two-factor form, with the code the emulator sent. */
export async function signIn(
  page: Page,
  sample: RunningSample,
  member: { email: string; e164: string; password?: string },
): Promise<void> {
  await page.goto(`${sample.url}/#login`);
  const login = page.getByRole('region', { name: 'Sign in', exact: true });
  await login.getByLabel('Email').fill(member.email);
  await login.getByLabel('Password').fill(member.password ?? PASSWORD);
  const sent = sample.emulator.deliveries(member.e164).length;
  await login.getByRole('button', { name: 'Send code' }).click();
  await login
    .getByLabel('Confirmation code')
    .fill(await codeFor(sample.emulator, member.e164, sent));
  await page.getByRole('heading', { name: 'You are signed in' }).waitFor();
}
