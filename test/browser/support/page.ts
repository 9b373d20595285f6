/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { DESKTOP, PHONE } from './chromium.js';

/** Where the suite writes its screenshots (git-ignored with the rest of `test-output/`). */
export const SCREENSHOT_DIR = join(process.cwd(), 'test-output', 'screenshots');

/**
 * Screenshots the page as it is, at desktop width and at 375 px, as `<suite>/<name>-desktop.png`
 * and `-phone.png`; at 375 px nothing may be wider than the screen.
 */
export async function snap(page: Page, suite: string, name: string): Promise<void> {
  const dir = join(SCREENSHOT_DIR, suite);
  mkdirSync(dir, { recursive: true });
  const viewport = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(DESKTOP);
  await painted(page);
  await page.screenshot({
    path: join(dir, `${name}-desktop.png`),
    fullPage: true,
    animations: 'disabled',
  });
  await page.setViewportSize(PHONE);
  await painted(page);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({
    path: join(dir, `${name}-phone.png`),
    fullPage: true,
    animations: 'disabled',
  });
  await page.setViewportSize(viewport);
}

/** Waits for two frames, so a resized page is laid out and painted before a screenshot. */
function painted(page: Page): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
  );
}

/** Waits until the locator is visible, then returns its text. */
export async function visibleText(locator: Locator): Promise<string> {
  await locator.waitFor({ state: 'visible' });
  return (await locator.innerText()).trim();
}

/** The option a `<select>` shows. */
export async function shownOption(select: Locator): Promise<string> {
  await select.waitFor({ state: 'visible' });
  return select.evaluate((element: HTMLSelectElement) => element.selectedOptions[0]?.text ?? '');
}

/** The text of the error tied to a control by aria-describedby, as a screen reader reads it. */
export async function errorOf(control: Locator): Promise<string> {
  await control
    .locator('xpath=..')
    .locator('.field-error:not(:empty)')
    .waitFor({ state: 'visible' });
  return control.evaluate((element) =>
    (element.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id))
      .filter((node): node is HTMLElement => node?.classList.contains('field-error') ?? false)
      .map((node) => node.innerText)
      .join(' '),
  );
}

/** Whether the element has the keyboard focus. */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element === document.activeElement);
}

/** Polls `read` until it returns `expected` (or the timeout), and returns what it read last. */
export async function eventually<T>(
  read: () => Promise<T>,
  expected: T,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}
