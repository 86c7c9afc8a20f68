// The signature matcher: literal lists, and the results it keeps for recent message texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectGarbage } from '../../src/cli/io.js';
import { loadRuleDirs } from '../../src/engine/loader.js';
import { SignatureMatcher } from '../../src/engine/signatures.js';
import { repoPath } from '../helpers.js';

test('signature matches of a repeated message come from the matcher\'s recent results, equal to a fresh match', () => {
  const rules = loadRuleDirs([repoPath('rules')], { tests: false });
  const lines = [
    'Error renewing lease (trying again in 1 min): context deadline exceeded',
    'Found network config - Backend type: vxlan',
    'Failed to create SubnetManager: error retrieving pod spec for \'kube-flannel/x\': dial tcp 10.96.0.1:443: i/o timeout',
    'nothing to see here',
    'Could not find valid interface matching eth9: failed to find IPv4 address for interface eth9',
  ];
  const fresh = (text: string) => new SignatureMatcher(rules.signatures).match(text);
  const shared = new SignatureMatcher(rules.signatures);
  for (let round = 0; round < 3; round++) {
    for (const text of lines) assert.deepEqual(shared.match(text), fresh(text), `${text} (round ${round})`);
  }
  assert.deepEqual(shared.match(lines[2]).map((m) => m.id).sort(), fresh(lines[2]).map((m) => m.id).sort());
  assert.ok(shared.match(lines[2]).length > 0, 'the dial line matches a signature');
  // more distinct texts than the matcher keeps: still every answer right
  for (let i = 0; i < 3000; i++) {
    const text = `Error registering network: failed to acquire lease: out of subnets ${i % 1500}`;
    assert.deepEqual(shared.match(text), fresh(text));
  }
});

test('the recent results share no string with the log they came from (a slice of a decoded log keeps all of it alive)', () => {
  const rules = loadRuleDirs([repoPath('rules')], { tests: false });
  const m = new SignatureMatcher(rules.signatures);
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  (() => {
    // a non-ASCII log is decoded into one string: ~16 MB of UTF-16 before its lines
    const lines = Array.from({ length: 300 }, (_, i) => `Error registering network: failed to acquire lease: out of subnets (é ${i})`);
    const log = `${'ł'.repeat(8_000_000)}\n${lines.join('\n')}\n`;
    let at = log.indexOf('\n') + 1;
    for (let i = 0; i < lines.length; i++) {
      const end = log.indexOf('\n', at);
      assert.equal(m.match(log.slice(at, end)).length > 0, true);
      at = end + 1;
    }
  })();
  collectGarbage();
  const kept = process.memoryUsage().heapUsed - before;
  assert.ok(kept < 6 * 2 ** 20, `the matcher holds ${(kept / 2 ** 20).toFixed(1)} MiB after the log is gone`);
  assert.ok(Object.isFrozen(m.match('Error registering network: failed to acquire lease: out of subnets (é 7)')[0].groups), 'kept results are frozen');
});
