import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSubnetEnv } from '../../src/parsers/subnet-env.js';
import { sample } from '../helpers.js';
import { survivesHostile } from './support.js';

test('parseSubnetEnv: the four flannel keys with their lines', () => {
  const { value, issues } = parseSubnetEnv(sample('synthetic-subnet-env.txt'), 'node/subnet.env');
  assert.deepEqual(issues, []);
  assert.deepEqual({ ...value.vars }, {
    FLANNEL_NETWORK: { value: '10.244.0.0/16', line: 1 },
    FLANNEL_SUBNET: { value: '10.244.5.1/24', line: 2 },
    FLANNEL_MTU: { value: '1450', line: 3 },
    FLANNEL_IPMASQ: { value: 'true', line: 4 },
  });
});

test('parseSubnetEnv: comments, blanks, bad lines and duplicates', () => {
  const text = '# written by hand\n\nFLANNEL_SUBNET=10.244.5.1/24\nthis is not env\nFLANNEL_SUBNET=10.244.9.1/24,10.244.10.1/24\n__proto__=x\n';
  const { value, issues } = parseSubnetEnv(text, 'node/subnet.env');
  assert.deepEqual(value.vars.FLANNEL_SUBNET, { value: '10.244.9.1/24,10.244.10.1/24', line: 5 });
  assert.equal(value.vars['__proto__']?.value, 'x');
  assert.equal(Object.getPrototypeOf(value.vars), null);
  assert.deepEqual(issues.map((i) => [i.file, i.line]), [['node/subnet.env', 4], ['node/subnet.env', 5]]);
  assert.match(issues[1].message, /repeated \(first on line 3\)/);
});

test('parseSubnetEnv survives hostile input', () => {
  survivesHostile((t) => parseSubnetEnv(t, 'x'));
});
