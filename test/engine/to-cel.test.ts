// The CEL view of the facts: objects of fact types are views over the facts (not copies), int fields
// read as CEL integers, absent optional fields are absent, and a view leads back to its evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CAPS } from '../../src/bundle/types.js';
import { celEnv } from '../../src/engine/cel.js';
import { readForPipeline } from '../../src/engine/pipeline.js';
import { SignatureMatcher } from '../../src/engine/signatures.js';
import { CEL_CLASSES, evidenceOf, factsToCel } from '../../src/engine/toCel.js';
import { assembleFacts } from '../../src/facts/cluster.js';
import { buildNode, type NodeBuild } from '../../src/facts/node.js';
import { repoPath } from '../helpers.js';

async function healthyFacts() {
  const builds: NodeBuild[] = [];
  const matcher = new SignatureMatcher([]);
  for await (const item of readForPipeline([repoPath('fixtures/clusters/healthy-etcd')], DEFAULT_CAPS)) if (item.bundle) builds.push(buildNode(item.bundle, matcher));
  return assembleFacts(builds, []).facts;
}

test('fact objects are seen through views: ints as BigInt, string lists and maps are the facts’ own, evidence found again', async () => {
  const facts = await healthyFacts();
  const { vars } = factsToCel(facts);
  const nodes = vars.nodes as Record<string, unknown>[];
  const node = nodes[0];
  const fact = facts.nodes[0];
  assert.ok(node instanceof CEL_CLASSES.Node);
  assert.equal(node.hostname, fact.hostname);
  assert.equal(typeof node.flanneldCount, 'bigint');
  assert.equal(node.flanneldCount, BigInt(fact.flanneldCount));
  assert.equal(node.addresses, fact.addresses, 'a list of strings is not copied');
  assert.equal((node.kernel as Record<string, unknown>).options, fact.kernel.options, 'a map of strings is not copied');
  assert.deepEqual(evidenceOf(node), fact.evidence);
  assert.deepEqual(evidenceOf({ evidence: [{ input: 'forged' }] }), [], 'only a view leads to evidence');
  assert.deepEqual(Object.getOwnPropertyNames(node), [], 'a view holds no copy of the fact’s fields');
});

test('absent optional fields are absent to CEL, and rules read views the way they read facts', async () => {
  const facts = await healthyFacts();
  delete (facts.nodes[0] as Record<string, unknown>).flannel;
  const { vars } = factsToCel(facts);
  const env = celEnv({ node: 'Node' });
  const nodes = vars.nodes as unknown[];
  assert.equal(env.compile('has(node.flannel)')({ ...vars, node: nodes[0] }), false);
  assert.equal(env.compile('has(node.flannel)')({ ...vars, node: nodes[1] }), true);
  assert.equal(env.compile('nodes.filter(n, n.flanneldCount >= 1).size()')(vars), BigInt(facts.nodes.filter((n) => n.flanneldCount >= 1).length));
});

test('a large list of facts is converted once per analysis, a small one on each read', async () => {
  const facts = await healthyFacts();
  const lease = facts.etcd.leases[0];
  facts.etcd.leases = Array.from({ length: 40 }, () => lease);
  facts.cluster.nodeNames = facts.cluster.nodeNames.slice(0, 2);
  const { vars } = factsToCel(facts);
  const etcd = vars.etcd as Record<string, unknown>;
  assert.equal(etcd.leases, etcd.leases, 'the same converted list on every read');
  const node = (vars.nodes as Record<string, unknown>[])[0];
  assert.notEqual(node.interfaces, node.interfaces, 'small lists are rebuilt (nothing kept for them)');
  assert.deepEqual(node.interfaces, node.interfaces);
});

test('a fact held in several places is one CEL value: `in` and == find it', async () => {
  const facts = await healthyFacts();
  const { vars } = factsToCel(facts);
  const env = celEnv();
  assert.ok(facts.nodes.some((n) => n.lease), 'the fixture links leases to nodes');
  assert.equal(env.compile('nodes.filter(n, has(n.lease)).all(n, n.lease in etcd.leases)')(vars), true);
  assert.equal(env.compile('nodes.filter(n, has(n.flannelDevice)).all(n, n.flannelDevice in n.interfaces)')(vars), true);
});
