import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium (apt package `chromium`); the test tool never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Enough for `apt-get update && apt-get install chromium` on a slow mirror. */
export const INSTALL_TIMEOUT_MS = 10 * 60_000;

/**
 * Installs Debian's Chromium with apt-get when it is missing. A lock file serialises the jest
 * workers that get here at the same time; the one that waits then finds it installed.
 */
export async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  const install =
    `test -x ${CHROMIUM} || ` +
    '(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)';
  try {
    await promisify(execFile)(
      'flock',
      [join(tmpdir(), 'nestjs-otp-chromium.lock'), 'sh', '-c', install],
      {
        timeout: INSTALL_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Chromium is missing at ${CHROMIUM} and apt-get could not install it (run as root, or ` +
        `install the Debian package "chromium" yourself): ${detail}`,
    );
  }
}

/** Launches headless Chromium; playwright gives each launch a fresh, temporary user-data dir. */
export async function launchChromium(): Promise<Browser> {
  await ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/** Time for one browser test: a whole flow, with argon2 hashing on the server. */
export const TEST_TIMEOUT_MS = 60_000;

/** Viewports of the suite: a desktop window and a 375 px phone. */
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 740 };

/**
 * A browser context that can reach 127.0.0.1 only (and the other `hosts` given, such as
 * `localhost`, the loopback name passkeys need).
 */
export async function localContext(
  browser: Browser,
  viewport: { width: number; height: number } = DESKTOP,
  hosts: readonly string[] = [],
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, locale: 'en-US' });
  context.setDefaultTimeout(10_000);
  const allowed = new Set(['127.0.0.1', ...hosts]);
  await context.route('**/*', (route) =>
    allowed.has(new URL(route.request().url()).hostname) ? route.continue() : route.abort(),
  );
  return context;
}
