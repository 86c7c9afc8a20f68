// Derives the etcd dumps that rule tests substitute into fixtures, from fixtures/clusters/healthy-etcd's
// real-format get-prefix.json (etcdctl 3.4 -w json shape: base64 keys/values, int64 lease ids as raw
// decimal numbers). Run: node rules/samples/make-samples.mjs (after node fixtures/make-fixtures.mjs).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const archive = path.join(here, '..', '..', 'fixtures', 'clusters', 'healthy-etcd', 'node-a.tar.gz');
const text = execFileSync('tar', ['-xzOf', archive, '--wildcards', '*/etcd/get-prefix.json'], { encoding: 'utf8' });
const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
// keep int64 ids as text: never JSON.parse the dump into numbers
const kvs = text.slice(text.indexOf('"kvs":[') + 7, text.lastIndexOf(']'));
const header = text.slice(0, text.indexOf('"kvs":['));
const items = kvs.split(/(?<=\}),(?=\{)/);
const configKey = b64('/coreos.com/network/config');
const write = (name, list) => writeFileSync(path.join(here, name), `${header}"kvs":[${list.join(',')}],"count":${list.length}}\n`);

write('get-prefix-no-config.json', items.filter((i) => !i.includes(`"key":"${configKey}"`)));
write('get-prefix-config-bad-json.json', items.map((i) => (i.includes(`"key":"${configKey}"`) ? i.replace(/"value":"[^"]*"/, `"value":"${b64('{"Network": "10.244.0.0/16", \\\n "Backend": {"Type": "vxlan"}}')}"`) : i)));
const stale = `{"key":"${b64('/coreos.com/network/subnets/10.244.9.0-24')}","create_revision":9,"mod_revision":9,"version":1,"value":"${b64('{"PublicIP":"192.168.50.99","PublicIPv6":null,"BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"6a:1f:00:aa:bb:99"}}')}"}`;
write('get-prefix-stale-reservation.json', [...items, stale]);

// ---- rule pack II samples: Kubernetes objects and ip outputs of healthy fixtures with one thing changed.
// Edits are textual where the output has fixed-point numbers (ip -j timers) that JSON.stringify would alter.
const fromFixture = (cluster, node, file) => execFileSync('tar', ['-xzOf', path.join(here, '..', '..', 'fixtures', 'clusters', cluster, `${node}.tar.gz`), '--wildcards', `*/${file}`], { encoding: 'utf8' });
const must = (text, from, to) => {
  if (!text.includes(from)) throw new Error(`sample source lacks ${from}`);
  return text.replace(from, to);
};
// kubectl -o json: 4-space indent, sorted keys (no int64 values here, so JSON round trips are exact)
const kubectl = (v) => `${JSON.stringify(v, null, 4)}\n`;
const kubeNodes = JSON.parse(fromFixture('healthy-kube', 'node-a', 'kube/nodes.json'));
const editNodes = (name, edit) => {
  const copy = structuredClone(kubeNodes);
  for (const it of copy.items) edit(it);
  writeFileSync(path.join(here, name), kubectl(copy));
};
const A = 'flannel.alpha.coreos.com/';
// node-c never got a podCIDR (controller-manager without --allocate-node-cidrs); flannel never annotated it
editNodes('kube-nodes-node-c-no-podcidr.json', (it) => {
  if (it.metadata.name !== 'node-c') return;
  delete it.spec.podCIDR;
  delete it.spec.podCIDRs;
  for (const k of Object.keys(it.metadata.annotations)) if (k.startsWith(A)) delete it.metadata.annotations[k];
});
// node-b's podCIDR from a mistyped --pod-network-cidr (10.224.0.0/16)
editNodes('kube-nodes-podcidr-outside.json', (it) => {
  if (it.metadata.name !== 'node-b') return;
  it.spec.podCIDR = '10.224.1.0/24';
  it.spec.podCIDRs = ['10.224.1.0/24'];
});
// node-b's annotations from an earlier life: another public IP and VtepMAC
editNodes('kube-nodes-stale-annotations.json', (it) => {
  if (it.metadata.name !== 'node-b') return;
  it.metadata.annotations[`${A}public-ip`] = '192.168.70.112';
  it.metadata.annotations[`${A}backend-data`] = '{"VNI":1,"VtepMAC":"aa:bb:cc:00:11:22"}';
});
// node-c still annotated host-gw (its flanneld ran with an older net-conf)
editNodes('kube-nodes-node-c-host-gw.json', (it) => {
  if (it.metadata.name !== 'node-c') return;
  it.metadata.annotations[`${A}backend-type`] = 'host-gw';
  it.metadata.annotations[`${A}backend-data`] = 'null';
});
// node-b is an arm64 machine
editNodes('kube-nodes-node-b-arm64.json', (it) => {
  if (it.metadata.name !== 'node-b') return;
  it.metadata.labels['kubernetes.io/arch'] = 'arm64';
  it.metadata.labels['beta.kubernetes.io/arch'] = 'arm64';
  it.status.nodeInfo.architecture = 'arm64';
});
// net-conf.json with the chart bug of flannel PR #1862 (unquoted MacPrefix)
const cms = JSON.parse(fromFixture('healthy-kube', 'node-a', 'kube/flannel-configmaps.json'));
cms.items[0].data['net-conf.json'] = '{\n  "Network": "10.244.0.0/16",\n  "Backend": {\n    "Type": "vxlan",\n    "MacPrefix": 0E-2A\n  }\n}\n';
writeFileSync(path.join(here, 'kube-configmaps-bad-net-conf.json'), kubectl(cms));
const cmsUdp = JSON.parse(fromFixture('healthy-kube', 'node-a', 'kube/flannel-configmaps.json'));
cmsUdp.items[0].data['net-conf.json'] = '{\n  "Network": "10.244.0.0/16"\n}\n';
writeFileSync(path.join(here, 'kube-configmaps-no-backend.json'), kubectl(cmsUdp));

// ip -j -d link of healthy-etcd node-b with flannel.1 on the IANA port (4789) instead of 8472
writeFileSync(path.join(here, 'ip-link-flannel1-port-4789.json'), must(fromFixture('healthy-etcd', 'node-b', 'node/ip-link.json'), '"port":8472', '"port":4789'));
// ... and with flannel.1 administratively down (ip link set flannel.1 down)
{
  const t = fromFixture('healthy-etcd', 'node-b', 'node/ip-link.json');
  const i = t.indexOf('"ifname":"flannel.1"');
  const head = t.slice(0, i);
  const tail = t.slice(i).replace('"flags":["BROADCAST","MULTICAST","UP","LOWER_UP"]', '"flags":["BROADCAST","MULTICAST"]').replace('"operstate":"UNKNOWN"', '"operstate":"DOWN"');
  writeFileSync(path.join(here, 'ip-link-flannel1-down.json'), head + tail);
}
// ip -j addr of healthy-etcd node-b: flannel.1 also carries a LAN address (dhcpcd, k3s#2599); cni0 an old subnet's
{
  const t = fromFixture('healthy-etcd', 'node-b', 'node/ip-addr.json');
  const extra = '{"family":"inet","local":"192.168.50.125","prefixlen":24,"scope":"global","label":"flannel.1","valid_life_time":4294967295,"preferred_life_time":4294967295},';
  writeFileSync(path.join(here, 'ip-addr-flannel1-extra-address.json'), must(t, '{"family":"inet","local":"10.244.2.0","prefixlen":32', `${extra}{"family":"inet","local":"10.244.2.0","prefixlen":32`));
  writeFileSync(path.join(here, 'ip-addr-cni0-old-subnet.json'), must(t, '"local":"10.244.2.1","prefixlen":24,"scope":"global","label":"cni0"', '"local":"10.244.7.1","prefixlen":24,"scope":"global","label":"cni0"'));
}
// healthy-hostgw-v2 node-a as on a cloud VM that gives the node a /32 (no peer is on-link)
writeFileSync(path.join(here, 'ip-addr-eth0-slash32.json'), must(fromFixture('healthy-hostgw-v2', 'node-a', 'node/ip-addr.json'), '"local":"192.168.60.21","prefixlen":24', '"local":"192.168.60.21","prefixlen":32'));
writeFileSync(path.join(here, 'ip-route-no-link-route.json'), must(fromFixture('healthy-hostgw-v2', 'node-a', 'node/ip-route.json'), ',{"dst":"192.168.60.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"192.168.60.21","flags":[]}]', ']'));
// healthy-kube node-b with a flannel-wg device left from a wireguard trial. Hand-written in the real
// `ip -j -d link` format of a wireguard link (iproute2 6.1: link_type none, info_kind wireguard, no
// address); the build machine's kernel cannot create one.
{
  const t = fromFixture('healthy-kube', 'node-b', 'node/ip-link.json');
  const wg = '{"ifindex":9,"ifname":"flannel-wg","flags":["POINTOPOINT","NOARP","UP","LOWER_UP"],"mtu":1420,"qdisc":"noqueue","operstate":"UNKNOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"none","promiscuity":0,"allmulti":0,"min_mtu":0,"max_mtu":2147483552,"linkinfo":{"info_kind":"wireguard"},"inet6_addr_gen_mode":"none","num_tx_queues":1,"num_rx_queues":1,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":65536,"tso_max_segs":65535,"gro_max_size":65536}';
  writeFileSync(path.join(here, 'ip-link-leftover-flannel-wg.json'), `${t.trimEnd().replace(/\]$/, `,${wg}]`)}\n`);
}

// ---- rule pack I samples: healthy-etcd's dump with one config or lease changed (b64/items/write from above).
const withConfig = (json) => items.map((i) => (i.includes(`"key":"${configKey}"`) ? i.replace(/"value":"[^"]*"/, `"value":"${b64(json)}"`) : i));
// SubnetMax off the /24 boundary, and an IPv6 network too small for flannel
write('get-prefix-config-semantic-errors.json', withConfig('{"Network":"10.244.0.0/16","SubnetLen":24,"SubnetMax":"10.244.255.128","EnableIPv6":true,"IPv6Network":"fc00::/126","Backend":{"Type":"vxlan"}}'));
// no Backend: flanneld uses udp
write('get-prefix-config-no-backend.json', withConfig('{"Network":"10.244.0.0/16"}'));
// room for 4 subnets, 3 leased: one free
write('get-prefix-config-capacity-4.json', withConfig('{"Network":"10.244.0.0/16","SubnetMin":"10.244.1.0","SubnetMax":"10.244.4.0","Backend":{"Type":"vxlan","VNI":1}}'));
// 192.168.50.11 (node-a) holds a second lease, left from before a SubnetLen change
const second = `{"key":"${b64('/coreos.com/network/subnets/10.244.8.0-24')}","create_revision":4,"mod_revision":4,"version":1,"value":"${b64('{"PublicIP":"192.168.50.11","PublicIPv6":null,"BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"fa:05:24:97:06:d5"}}')}","lease":7587876021943126100}`;
write('get-prefix-two-leases-one-ip.json', [...items, second]);
// a lease whose value is not JSON: flannel skips it ("Ignoring bad subnet node") but the key keeps the subnet taken
const broken = `{"key":"${b64('/coreos.com/network/subnets/10.244.6.0-24')}","create_revision":5,"mod_revision":5,"version":1,"value":"${b64('{"PublicIP":"192.168.50.16",')}","lease":7587876021943126111}`;
write('get-prefix-bad-lease-value.json', [...items, broken]);
// healthy-etcd node-b after its DHCP lease changed: eth0 lost 192.168.50.12 (no IPv4 at all), or got 192.168.50.22
{
  const t = fromFixture('healthy-etcd', 'node-b', 'node/ip-addr.json');
  writeFileSync(path.join(here, 'ip-addr-eth0-no-ipv4.json'), must(t, '{"family":"inet","local":"192.168.50.12","prefixlen":24,"scope":"global","label":"eth0","valid_life_time":4294967295,"preferred_life_time":4294967295},', ''));
  writeFileSync(path.join(here, 'ip-addr-eth0-new-address.json'), must(t, '"local":"192.168.50.12","prefixlen":24', '"local":"192.168.50.22","prefixlen":24'));
}
