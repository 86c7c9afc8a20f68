import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKubeConfigMaps, parseKubeNodes, parseKubePods } from '../../src/parsers/kube.js';
import { sample } from '../helpers.js';
import { survivesHostile } from './support.js';

test('parseKubeNodes: nodes list', () => {
  const { value, issues } = parseKubeNodes(sample('synthetic-kube-nodes.json'), 'kube/nodes.json');
  assert.deepEqual(issues, []);
  assert.equal(value.resourceVersion, '884512');
  const [w1, w2] = value.items;
  assert.equal(w1.name, 'worker-1');
  assert.equal(w1.podCIDR, '10.244.1.0/24');
  assert.deepEqual(w1.podCIDRs, ['10.244.1.0/24']);
  assert.deepEqual(w1.addresses, [{ type: 'InternalIP', address: '192.168.10.21' }, { type: 'Hostname', address: 'worker-1' }]);
  assert.equal(w1.annotations['flannel.alpha.coreos.com/public-ip'], '192.168.10.21');
  assert.equal(JSON.parse(w1.annotations['flannel.alpha.coreos.com/backend-data']).VtepMAC, '2e:7c:41:9b:0a:11');
  assert.equal(w1.labels['kubernetes.io/arch'], 'amd64');
  assert.deepEqual([w1.architecture, w1.kubeletVersion, w1.pointer], ['amd64', 'v1.28.4', '/items/0']);
  assert.deepEqual([w2.name, w2.podCIDR, w2.podCIDRs, w2.pointer], ['worker-2', null, [], '/items/1']);
});

test('parseKubeNodes: a single Node object, unnamed items, __proto__ annotations, broken JSON', () => {
  const single = parseKubeNodes('{"kind":"Node","metadata":{"name":"n1","annotations":{"__proto__":"x","k":1}}}', 'x').value;
  assert.deepEqual([single.items[0].name, single.items[0].pointer], ['n1', '']);
  const ann = single.items[0].annotations;
  assert.equal(Object.getPrototypeOf(ann), null);
  assert.deepEqual(Object.keys(ann), ['__proto__'], 'own key kept, non-string value dropped');
  const unnamed = parseKubeNodes('{"kind":"List","items":[{"metadata":{}},{"metadata":{"name":"b"}}]}', 'kube/nodes.json');
  assert.deepEqual(unnamed.value.items.map((n) => [n.name, n.pointer]), [['b', '/items/1']]);
  assert.match(unnamed.issues[0].message, /^\/items\/0: object without metadata.name/);
  const broken = parseKubeNodes('{"items":[\n{"metadata":}', 'kube/nodes.json');
  assert.deepEqual([broken.value.items, broken.issues[0].line, broken.issues[0].column], [[], 2, 13]);
});

const PODS = JSON.stringify({
  apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '900' },
  items: [{
    metadata: { name: 'kube-flannel-ds-x7k2p', namespace: 'kube-flannel' },
    spec: {
      nodeName: 'worker-2',
      initContainers: [{ name: 'install-cni-plugin', image: 'docker.io/flannel/flannel-cni-plugin:v1.4.0-flannel1' }],
      containers: [{ name: 'kube-flannel', image: 'docker.io/flannel/flannel:v0.25.1' }],
    },
    status: { phase: 'Running', containerStatuses: [{ name: 'kube-flannel', restartCount: 7 }] },
  }],
});

test('parseKubePods: flannel pods (hand-written in kubectl -o json shape)', () => {
  const { value, issues } = parseKubePods(PODS, 'kube/flannel-pods.json');
  assert.deepEqual(issues, []);
  assert.equal(value.resourceVersion, '900');
  assert.deepEqual(value.items, [{
    name: 'kube-flannel-ds-x7k2p', namespace: 'kube-flannel', nodeName: 'worker-2', images: ['docker.io/flannel/flannel:v0.25.1'],
    phase: 'Running', restartCount: 7, pointer: '/items/0',
  }]);
});

test('parseKubeConfigMaps: data as a string map', () => {
  const text = JSON.stringify({
    kind: 'List', metadata: { resourceVersion: '901' },
    items: [{ metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel' }, data: { 'net-conf.json': '{"Network":"10.244.0.0/16"}', 'cni-conf.json': '{}' } }],
  });
  const { value, issues } = parseKubeConfigMaps(text, 'kube/flannel-configmaps.json');
  assert.deepEqual(issues, []);
  const [cm] = value.items;
  assert.deepEqual([cm.name, cm.namespace, cm.pointer], ['kube-flannel-cfg', 'kube-flannel', '/items/0']);
  assert.deepEqual({ ...cm.data }, { 'net-conf.json': '{"Network":"10.244.0.0/16"}', 'cni-conf.json': '{}' });
  assert.match(parseKubeConfigMaps('[]', 'x').issues[0].message, /expected a JSON object/);
});

test('kube parsers survive hostile input', () => {
  for (const parse of [parseKubeNodes, parseKubePods, parseKubeConfigMaps]) survivesHostile((t) => parse(t, 'x'));
});
