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
