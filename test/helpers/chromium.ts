/**
 * Headless Chromium for the browser tests (Debian's `chromium` package, driven by playwright-core;
 * no browser download): $CHROMIUM_PATH, else /usr/bin/chromium, else /usr/bin/chromium-browser.
 * Without one a browser test is skipped with a loud notice, so `npm test` passes on a machine with
 * only Postgres and Redis; with CI set (as .ci/run does, after installing chromium) it is required.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
const CHROMIUM = CANDIDATES.find((p) => existsSync(p));
const REQUIRED = (process.env.CI ?? '') !== '' && process.env.CI !== 'false';
const MISSING = `No Chromium for the browser tests (looked at ${CANDIDATES.join(', ')}): install Debian's package ` +
  '(apt-get install -y chromium) or set CHROMIUM_PATH.';

/** True when the browser tests must be skipped (no Chromium, and CI does not require one); says so loudly once. */
export function skipBrowserTests(what: string): boolean {
  const skip = CHROMIUM === undefined && !REQUIRED;
  if (skip) {
    process.stderr.write(`\n${'!'.repeat(100)}\n!! SKIPPED ${what}: ${MISSING}\n!! (CI=1 makes this test required; .ci/run installs chromium and sets it.)\n${'!'.repeat(100)}\n\n`);
  }
  return skip;
}

export async function launchChromium(): Promise<Browser> {
  if (CHROMIUM === undefined) throw new Error(`${MISSING} CI is set, so this test is required.`);
  // Root in a container needs --no-sandbox; the pages are our own, served on loopback.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}
