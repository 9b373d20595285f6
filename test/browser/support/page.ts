/// <reference lib="dom" />
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { DESKTOP, PHONE } from './chromium.js';

/**
 * Where the suite writes its screenshots: `test-output/screenshots/<suite>/` (git-ignored, full
 * pages as PNG) by default; with `SCREENSHOTS=docs`, `docs/screenshots/` (the README's, the
 * screen as JPEG), for the states the README shows.
 */
const FOR_DOCS = process.env.SCREENSHOTS === 'docs';
export const SCREENSHOT_DIR = FOR_DOCS
  ? join(process.cwd(), 'docs', 'screenshots')
  : join(process.cwd(), 'test-output', 'screenshots');

/** axe-core's browser script, read once. */
let axeSource: string | undefined;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core on the page as it is and expects no violation of any impact: `state` names the
 * state in the failure. Called at every state a test drives, at the viewport it has.
 */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy allows.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } })
      .axe;
    const { violations } = await axe.run();
    return violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.map((node) => ({ target: node.target })),
    }));
  });
  const width = page.viewportSize()?.width ?? 0;
  expect({
    state: `${state} at ${width} px`,
    violations: violations.map(
      (v) =>
        `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
  }).toEqual({ state: `${state} at ${width} px`, violations: [] });
}

/**
 * One state of the page, checked and kept: at desktop width and at 375 px, axe-core finds no
 * violation and nothing is wider than the screen, and a screenshot is taken of each
 * (`<suite>/<name>-desktop.png` and `-phone.png`). With `SCREENSHOTS=docs`, the states marked
 * `readme` are written instead as `docs/screenshots/<name>-desktop.jpg` and `-phone.jpg`, the
 * screen as a person sees it, for the README; `show` is scrolled into view at each width first,
 * for a state further down the page.
 */
export async function snap(
  page: Page,
  suite: string,
  name: string,
  options: { readme?: boolean; show?: Locator } = {},
): Promise<void> {
  const keep = !FOR_DOCS || options.readme === true;
  const dir = FOR_DOCS ? SCREENSHOT_DIR : join(SCREENSHOT_DIR, suite);
  mkdirSync(dir, { recursive: true });
  const file = (width: string) =>
    FOR_DOCS ? join(dir, `${name}-${width}.jpg`) : join(dir, `${name}-${width}.png`);
  const shot = FOR_DOCS
    ? { type: 'jpeg' as const, quality: 80, fullPage: false }
    : { type: 'png' as const, fullPage: true };
  const viewport = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(DESKTOP);
  await options.show?.scrollIntoViewIfNeeded();
  await painted(page);
  await expectAccessible(page, `${suite}/${name}`);
  if (keep) await page.screenshot({ ...shot, path: file('desktop'), animations: 'disabled' });
  await page.setViewportSize(PHONE);
  await options.show?.scrollIntoViewIfNeeded();
  await painted(page);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await expectAccessible(page, `${suite}/${name}`);
  if (keep) await page.screenshot({ ...shot, path: file('phone'), animations: 'disabled' });
  await page.setViewportSize(viewport);
  await painted(page);
}

/**
 * Whether the element is wholly on the screen as the page first shows it (above the fold), with
 * the page scrolled to the top.
 */
export async function aboveTheFold(locator: Locator): Promise<boolean> {
  await locator.waitFor({ state: 'visible' });
  return locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const top = box.top + window.scrollY;
    return top >= 0 && top + box.height <= window.innerHeight;
  });
}

/** The visible enabled or disabled buttons of `root` that look primary (not links, not secondary). */
export async function primaryButtons(root: Locator): Promise<string[]> {
  return root
    .locator('button:not(.link):not(.secondary):not(.danger)')
    .evaluateAll((buttons) =>
      buttons
        .filter((button) => (button as HTMLElement).offsetParent !== null)
        .map((button) => (button as HTMLElement).innerText.trim()),
    );
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
