// Host-gw peers that are not on a connected network: counted per distinct set of networks, not by
// looking at every peer for every node. Checked against the definition, computed the slow way here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CAPS } from '../../src/bundle/types.js';
import { readForPipeline } from '../../src/engine/pipeline.js';
import { SignatureMatcher } from '../../src/engine/signatures.js';
import { assembleFacts } from '../../src/facts/cluster.js';
import { parseCidrLoose, parsedCidrContains } from '../../src/facts/net.js';
import { buildNode, type NodeBuild } from '../../src/facts/node.js';
import type { Facts, NodeFact } from '../../src/facts/schema.js';
import { repoPath } from '../helpers.js';

/** The fact's definition: peers (by address) that are neither this node nor inside a network it is connected to. */
function farPeersByDefinition(facts: Facts, n: NodeFact): string[] {
  const peers = new Map<string, string>();
  for (const x of facts.nodes) if (x.publicIp) peers.set(x.publicIp, x.hostname);
  for (const l of facts.etcd.leases) if (l.publicIp && !peers.has(l.publicIp)) peers.set(l.publicIp, l.ownerNode ?? l.subnet);
  const onLink = [
    ...n.interfaces.filter((i) => !i.flannelBackend && i.kind !== 'bridge' && i.name !== 'lo').flatMap((i) => i.addresses.filter((a) => !a.includes(':'))),
    ...n.routes.filter((r) => !r.gateway && r.dst.includes('/') && !r.dst.includes(':') && r.dev && !r.dev.startsWith('flannel') && r.dev !== 'cni0').map((r) => r.dst),
  ].map(parseCidrLoose);
  return [...peers]
    .filter(([ip, name]) => !n.addresses.includes(ip) && name !== n.hostname && !onLink.some((c) => parsedCidrContains(c, parseCidrLoose(ip))))
    .map(([ip, name]) => (name === ip ? ip : `${name} (${ip})`));
}

test('host-gw: peers off every connected network, per node, as the definition says (also for a node cut off from its own network)', async () => {
  const builds: NodeBuild[] = [];
  const matcher = new SignatureMatcher([]);
  for await (const item of readForPipeline([repoPath('fixtures/clusters/healthy-hostgw-v2')], DEFAULT_CAPS)) if (item.bundle) builds.push(buildNode(item.bundle, matcher));
  assert.ok(builds.length >= 3);
  // node 0 loses every connected network: every peer is far from it, its own address included in the list
  const cut = builds[0].node;
  cut.interfaces = cut.interfaces.map((i) => ({ ...i, addresses: i.name === 'lo' ? i.addresses : [] }));
  cut.routes = cut.routes.filter((r) => r.gateway);
  // node 1 is on a second network as well, so nodes do not all share one set of networks
  builds[1].node.routes = [...builds[1].node.routes, { ...builds[1].node.routes[0], dst: '203.0.113.0/24', gateway: undefined, dev: 'eth1' }];
  const { facts } = assembleFacts(builds, []);
  assert.equal(facts.cluster.backend, 'host-gw');
  let far = 0;
  for (const n of facts.nodes) {
    const expected = farPeersByDefinition(facts, n);
    assert.equal(n.nonL2PeerCount, expected.length, n.hostname);
    assert.deepEqual(n.nonL2Peers, expected.slice(0, 20), n.hostname);
    far += expected.length;
  }
  assert.ok(facts.nodes[0].nonL2PeerCount! >= 2, 'the cut-off node sees its peers as far');
  assert.ok(far > 0);
});
