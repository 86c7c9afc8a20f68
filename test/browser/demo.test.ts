// The reports of real fixtures in a real browser (Debian chromium): the demo's faulty cluster, and a
// bundle whose values carry markup. Opened from file://, no request leaves the file, nothing injected runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkReportInBrowser } from './browser.js';
import { repoPath } from '../helpers.js';

const CLI = repoPath('dist/src/cli/main.js');

test('the demo report (faulty-etcd) in chromium', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fd-demo-'));
  try {
    const html = path.join(dir, 'demo.html');
    const r = spawnSync(process.execPath, [CLI, 'analyze', repoPath('fixtures/clusters/faulty-etcd'), '-f', 'html', '-o', html], { encoding: 'utf8' });
    assert.equal(r.status, 3, r.stderr);
    await checkReportInBrowser(html, { name: 'demo-faulty-etcd', expectTexts: ['Problems found', 'kernel-backend.backend-module', 'node-b runs 2 flanneld processes', '10.244.9.0/24'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bundle values carrying <script> and <img onerror> are shown as text and never run', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fd-hostile-'));
  try {
    execFileSync('tar', ['-xzf', repoPath('fixtures/clusters/healthy-etcd/node-a.tar.gz'), '-C', dir, '-m']);
    const bundle = path.join(dir, readdirSync(dir)[0]);
    const manifestPath = path.join(bundle, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.host.hostname = '<script>window.__pwned=1</script>';
    writeFileSync(manifestPath, JSON.stringify(manifest));
    // a second flanneld whose arguments carry markup: the multi-instance finding quotes them
    const ps = readFileSync(path.join(bundle, 'node/ps.txt'), 'utf8');
    writeFileSync(path.join(bundle, 'node/ps.txt'), `${ps} 9999     1 Thu Nov 26 04:00:00 2026    4389 /opt/bin/flanneld --iface=<img src=x onerror="window.__pwned=2">\n`);
    const html = path.join(dir, 'hostile.html');
    const r = spawnSync(process.execPath, [CLI, 'analyze', bundle, '-f', 'html', '-o', html], { encoding: 'utf8' });
    assert.equal(r.status, 3, r.stderr);
    const text = readFileSync(html, 'utf8');
    assert.ok(!text.includes('<script>window.__pwned'), 'the hostname is escaped in the HTML source');
    assert.ok(!text.includes('<img src=x'), 'the argument is escaped in the HTML source');
    await checkReportInBrowser(html, { name: 'hostile-values', expectTexts: ['<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=2">'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
