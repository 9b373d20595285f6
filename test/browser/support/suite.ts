import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DESKTOP, INSTALL_TIMEOUT_MS, launchChromium, localContext } from './chromium.js';
import { freePort, type RunningSample, startSample } from './sample-server.js';

export interface BrowserSuite {
  sample: RunningSample;
  browser: Browser;
  /** A fresh browser context (no cookies) for each test. */
  context: BrowserContext;
  page: Page;
}

/**
 * Registers the hooks of a browser suite: the sample app in development mode and Chromium for the
 * describe block, a fresh context and page for each test. Read the fields inside tests.
 */
export function useBrowserSuite(
  options: Parameters<typeof startSample>[0] = {},
  viewport: { width: number; height: number } = DESKTOP,
): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    [suite.sample, suite.browser] = await Promise.all([startSample(options), launchChromium()]);
  }, INSTALL_TIMEOUT_MS);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.sample?.close();
  });
  beforeEach(async () => {
    suite.context = await localContext(suite.browser, viewport);
    suite.page = await suite.context.newPage();
  });
  afterEach(() => suite.context?.close());
  return suite;
}

export interface LocalhostSuite extends BrowserSuite {
  /** `http://localhost:<port>`: where the page runs with passkeys (127.0.0.1 cannot have them). */
  origin: string;
}

/**
 * {@link useBrowserSuite} for passkeys: the sample on a port chosen first, so that its passkeys
 * are bound to `localhost` on the origin `http://localhost:<port>` (`PORT`, as `npm run sample`
 * reads it), and contexts that may reach `localhost`. Open pages at `suite.origin`.
 */
export function useLocalhostSuite(
  options: Parameters<typeof startSample>[0] = {},
  viewport: { width: number; height: number } = DESKTOP,
): LocalhostSuite {
  const suite = {} as LocalhostSuite;
  beforeAll(async () => {
    const port = await freePort();
    [suite.sample, suite.browser] = await Promise.all([
      startSample({ ...options, port, env: { PORT: String(port), ...options.env } }),
      launchChromium(),
    ]);
    suite.origin = `http://localhost:${port}`;
  }, INSTALL_TIMEOUT_MS);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.sample?.close();
  });
  beforeEach(async () => {
    suite.context = await localContext(suite.browser, viewport, ['localhost']);
    suite.page = await suite.context.newPage();
  });
  afterEach(() => suite.context?.close());
  return suite;
}
