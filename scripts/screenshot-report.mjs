#!/usr/bin/env node
// Renders an HTML report to a PNG with Debian's chromium (the same browser code as the browser tests).
// Run after `npm run build`:
//   node scripts/screenshot-report.mjs demo-report.html docs/report-screenshot.png [--dark] [--full] [--width N] [--height N]
import { screenshotHtml } from '../dist/test/browser/browser.js';

const args = process.argv.slice(2);
const positional = [];
const opts = { colorScheme: 'light', fullPage: false, width: 1280, height: 900 };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--dark') opts.colorScheme = 'dark';
  else if (a === '--full') opts.fullPage = true;
  else if (a === '--width' || a === '--height') {
    const n = Number(args[++i]);
    if (!Number.isInteger(n) || n < 200 || n > 10000) {
      console.error(`${a} needs a whole number of pixels between 200 and 10000`);
      process.exit(2);
    }
    opts[a.slice(2)] = n;
  } else if (a === '-h' || a === '--help') {
    console.log('usage: node scripts/screenshot-report.mjs REPORT.html OUT.png [--dark] [--full] [--width N] [--height N]');
    process.exit(0);
  } else positional.push(a);
}
if (positional.length !== 2) {
  console.error('usage: node scripts/screenshot-report.mjs REPORT.html OUT.png [--dark] [--full] [--width N] [--height N]');
  process.exit(2);
}
const [html, png] = positional;
try {
  await screenshotHtml(html, png, opts);
  console.error(`wrote ${png}`);
} catch (err) {
  console.error(`screenshot failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
