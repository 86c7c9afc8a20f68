// Browser checks for HTML reports, with playwright-core driving Debian's chromium (/usr/bin/chromium,
// installed by scripts/install-test-deps.sh). Never downloads a browser. Used by the browser tests and by
// scripts/screenshot-report.mjs (through dist/test/browser/browser.js).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.FLANNEL_DIAG_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--no-default-browser-check',
];

/** True when the Debian chromium is installed. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * Launches the system chromium headless. A plain launch gives a fresh temporary profile (user-data dir)
 * that playwright removes on close.
 */
export async function launchChromium(): Promise<Browser> {
  if (!chromiumAvailable()) {
    throw new Error(`chromium not found at ${CHROMIUM_PATH}: run scripts/install-test-deps.sh (apt), never "playwright install"`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}

export interface Watch {
  requests: string[];
  consoleErrors: string[];
  pageErrors: string[];
}

/** Records every request of the context (and blocks any that is not `allowedUrl`), console errors and page errors. */
async function watchedPage(context: BrowserContext, allowedUrl: string): Promise<{ page: Page; watch: Watch }> {
  const watch: Watch = { requests: [], consoleErrors: [], pageErrors: [] };
  context.on('request', (req) => watch.requests.push(req.url()));
  await context.route('**/*', (route) => (route.request().url() === allowedUrl ? route.continue() : route.abort('blockedbyclient')));
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') watch.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => watch.pageErrors.push(String(err)));
  return { page, watch };
}

export interface ScreenshotOptions {
  colorScheme?: 'light' | 'dark';
  width?: number;
  height?: number;
  fullPage?: boolean;
}

/** Renders an HTML file to a PNG (for the README screenshot). */
export async function screenshotHtml(htmlPath: string, pngPath: string, opts: ScreenshotOptions = {}): Promise<void> {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({
      viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
      colorScheme: opts.colorScheme ?? 'light',
      serviceWorkers: 'block',
    });
    const url = pathToFileURL(path.resolve(htmlPath)).href;
    const { page } = await watchedPage(context, url);
    await page.goto(url, { waitUntil: 'load' });
    mkdirSync(path.dirname(path.resolve(pngPath)), { recursive: true });
    await page.screenshot({ path: pngPath, fullPage: opts.fullPage ?? false });
    await context.close();
  } finally {
    await browser.close();
  }
}

export interface CheckOptions {
  /** texts that must be visible on the page, with and without JavaScript */
  expectTexts?: string[];
  /** where screenshots and the PDF go; default test-artifacts/ under the current directory */
  artifactsDir?: string;
  /** file name prefix of the artifacts; default: the HTML file's base name */
  name?: string;
}

export interface CheckResult extends Watch {
  fileUrl: string;
  lightBackground: string;
  darkBackground: string;
  pdfBytes: number;
  artifacts: string[];
}

/**
 * Opens an HTML report over file:// and asserts (node:assert, throws on the first failure):
 * - no request goes anywhere but the file itself, with JavaScript on and off;
 * - no console error (a CSP violation is one) and no page error;
 * - the verdict, the findings section and every expected text are visible, with JavaScript on and off;
 * - no injected script ran (window.__pwned is undefined), the page holds exactly one <script> and no <img>;
 * - the status filters and table sorting work when JavaScript is on;
 * - the page background changes under prefers-color-scheme: dark;
 * - printing to PDF gives a non-empty PDF.
 * Saves light and dark full-page screenshots, a no-JS screenshot and the PDF to artifactsDir.
 */
export async function checkReportInBrowser(htmlPath: string, opts: CheckOptions = {}): Promise<CheckResult> {
  const fileUrl = pathToFileURL(path.resolve(htmlPath)).href;
  const dir = path.resolve(opts.artifactsDir ?? 'test-artifacts');
  const name = opts.name ?? path.basename(htmlPath).replace(/\.html?$/i, '');
  mkdirSync(dir, { recursive: true });
  const artifacts: string[] = [];
  const expectTexts = opts.expectTexts ?? [];

  const browser = await launchChromium();
  try {
    // --- JavaScript on
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light', serviceWorkers: 'block' });
    const { page, watch } = await watchedPage(context, fileUrl);
    await page.goto(fileUrl, { waitUntil: 'load' });
    await page.waitForTimeout(250); // anything late (a lazy load, a prefetch) shows up in the request log

    await assertContent(page, expectTexts, 'with JavaScript');
    assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined', 'an injected script ran');
    assert.equal(await page.locator('script').count(), 1, 'exactly one <script> element (ours)');
    assert.equal(await page.locator('img, iframe, object, embed, form').count(), 0, 'no injected img/iframe/object/embed/form element');

    // Filters: shown with JavaScript; unchecking a status hides its group
    const filters = page.locator('#filters');
    if ((await filters.count()) > 0) {
      assert.ok(await filters.isVisible(), 'status filters are shown when JavaScript runs');
      const box = filters.locator('input[type=checkbox]').first();
      const status = await box.getAttribute('data-status');
      const group = page.locator(`.group[data-status="${status}"]`);
      await box.uncheck();
      assert.equal(await group.isVisible(), false, `unchecking ${status} hides its findings`);
      await box.check();
      assert.ok(await group.isVisible(), `checking ${status} shows its findings again`);
    }
    // Sorting: clicking a header sorts and a third click restores the report's order
    const sortable = page.locator('table.sortable').first();
    if ((await sortable.count()) > 0) {
      const before = await sortable.locator('tbody tr').allTextContents();
      const header = sortable.locator('thead button.sort').first();
      await header.click();
      await header.click();
      await header.click();
      assert.deepEqual(await sortable.locator('tbody tr').allTextContents(), before, 'three clicks restore the original order');
    }

    const lightBackground = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    artifacts.push(path.join(dir, `${name}-light.png`));
    await page.screenshot({ path: artifacts[artifacts.length - 1], fullPage: true });

    await page.emulateMedia({ colorScheme: 'dark' });
    const darkBackground = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    assert.notEqual(darkBackground, lightBackground, 'prefers-color-scheme: dark changes the page background');
    artifacts.push(path.join(dir, `${name}-dark.png`));
    await page.screenshot({ path: artifacts[artifacts.length - 1], fullPage: true });

    await page.emulateMedia({ media: 'print', colorScheme: 'light' });
    if ((await filters.count()) > 0) assert.equal(await filters.isVisible(), false, 'filter controls are hidden in print');
    const pdf = await page.pdf({ format: 'A4', printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } });
    assert.ok(pdf.length > 1000, 'the PDF is not empty');
    assert.equal(pdf.subarray(0, 4).toString('latin1'), '%PDF', 'page.pdf gives a PDF');
    artifacts.push(path.join(dir, `${name}.pdf`));
    writeFileSync(artifacts[artifacts.length - 1] as string, pdf);
    await context.close();

    // --- JavaScript off: everything still readable
    const noJs = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false, serviceWorkers: 'block' });
    const { page: page2, watch: watch2 } = await watchedPage(noJs, fileUrl);
    await page2.goto(fileUrl, { waitUntil: 'load' });
    await page2.waitForTimeout(250);
    await assertContent(page2, expectTexts, 'without JavaScript');
    if ((await page2.locator('#filters').count()) > 0) assert.equal(await page2.locator('#filters').isVisible(), false, 'filter controls stay hidden without JavaScript');
    artifacts.push(path.join(dir, `${name}-nojs.png`));
    await page2.screenshot({ path: artifacts[artifacts.length - 1], fullPage: false });
    await noJs.close();

    const all: Watch = {
      requests: [...watch.requests, ...watch2.requests],
      consoleErrors: [...watch.consoleErrors, ...watch2.consoleErrors],
      pageErrors: [...watch.pageErrors, ...watch2.pageErrors],
    };
    const foreign = all.requests.filter((u) => u !== fileUrl);
    assert.deepEqual(foreign, [], `requests to anything but ${fileUrl}`);
    assert.ok(all.requests.includes(fileUrl), 'the report file itself was requested');
    assert.deepEqual(all.consoleErrors, [], 'console errors');
    assert.deepEqual(all.pageErrors, [], 'page errors');
    return { ...all, fileUrl, lightBackground, darkBackground, pdfBytes: pdf.length, artifacts };
  } finally {
    await browser.close();
  }
}

async function assertContent(page: Page, expectTexts: string[], when: string): Promise<void> {
  assert.ok(await page.locator('#verdict').isVisible(), `the verdict is visible ${when}`);
  assert.ok(await page.locator('#verdict .headline').isVisible(), `the verdict headline is visible ${when}`);
  assert.ok(await page.locator('#findings').isVisible(), `the findings are visible ${when}`);
  for (const text of expectTexts) {
    const loc = page.getByText(text, { exact: false }).first();
    assert.ok((await loc.count()) > 0, `"${text}" is on the page ${when}`);
    assert.ok(await loc.isVisible(), `"${text}" is visible ${when}`);
  }
}
