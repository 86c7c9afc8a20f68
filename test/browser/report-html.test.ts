// Opens the HTML report of the sample (hostile values included) in Debian's chromium: no request but the
// file, no console or page error, verdict and findings visible with and without JavaScript, hostile
// markup shown as text and never run, dark scheme, print to PDF. Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { renderHtml } from '../../src/report/html.js';
import { repoPath } from '../helpers.js';
import { HOSTILE, sampleReport } from '../report/sample-report.js';
import { checkReportInBrowser, launchChromium, screenshotHtml } from './browser.js';

const ARTIFACTS = repoPath('test-artifacts');
let dir: string;

describe('HTML report in chromium', { timeout: 180_000 }, () => {
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'flannel-diag-html-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is self-contained, safe and readable (JS on and off, light, dark, print)', async () => {
    const file = path.join(dir, 'sample-report.html');
    writeFileSync(file, renderHtml(sampleReport()));
    const result = await checkReportInBrowser(file, {
      artifactsDir: ARTIFACTS,
      name: 'sample-report',
      expectTexts: [
        'FAIL: Problems found',
        'Most likely cause:',
        'Subnet lease held by an address that no node has',
        'Two nodes share one public IP',
        'Clock offset between nodes',
        'Not checked',
        'Bundle integrity',
        HOSTILE.script,
        HOSTILE.img,
      ],
    });
    assert.ok(result.requests.length >= 2, 'the file was loaded twice (JS on and off)');
    assert.ok(result.pdfBytes > 1000);
    for (const a of result.artifacts) assert.ok(readFileSync(a).length > 0, a);
  });

  it('its CSP stops a script that escaping had let through', async () => {
    // Simulates an escaping bug: a raw <script> and an inline handler in the body. The hash-based CSP
    // must refuse both.
    const file = path.join(dir, 'injected.html');
    const html = renderHtml(sampleReport()).replace('<main>', `<main><script>window.__pwned=1</script><p id="x" onclick="window.__pwned=2">x</p>`);
    writeFileSync(file, html);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(pathToFileURL(file).href);
      await page.locator('#x').click();
      assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
      assert.ok(errors.some((e) => /Content Security Policy/i.test(e)), 'the CSP reported the refused script');
    } finally {
      await browser.close();
    }
  });

  it('screenshotHtml writes a PNG (as scripts/screenshot-report.mjs does)', async () => {
    const file = path.join(dir, 'shot.html');
    writeFileSync(file, renderHtml(sampleReport()));
    const png = path.join(ARTIFACTS, 'sample-report-screenshot.png');
    await screenshotHtml(file, png, { colorScheme: 'dark' });
    assert.deepEqual([...readFileSync(png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});
