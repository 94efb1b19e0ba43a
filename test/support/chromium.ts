// Headless Chromium for the page tests: Debian's /usr/bin/chromium driven by playwright-core, with
// nothing that would reach out of the test's namespace (updates, sync, QUIC, background traffic).
import { chromium, type Browser } from 'playwright-core';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser, or an error naming the Debian package when Chromium cannot start. */
export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  } catch (e) {
    throw new Error(`cannot start /usr/bin/chromium (Debian package: chromium): ${(e as Error).message}`);
  }
}
