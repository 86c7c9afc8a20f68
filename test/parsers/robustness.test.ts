// Type confusion: every value in a real JSON sample is replaced, one at a time, by values of other
// types. Parsers must neither throw nor return rows with fields of the wrong type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBridgeFdbJson, parseIpAddrJson, parseIpLinkJson, parseIpRouteJson } from '../../src/parsers/ip.js';
import {
  parseEtcdEndpointHealth,
  parseEtcdEndpointStatus,
  parseEtcdGetJson,
  parseEtcdLeaseList,
  parseEtcdLeaseTimeToLive,
  parseEtcdV2Get,
  parseEtcdV2Tree,
} from '../../src/parsers/etcd.js';
import { parseKubeNodes } from '../../src/parsers/kube.js';
import { sample } from '../helpers.js';

const REPLACEMENTS: unknown[] = [null, {}, [], 1.5, -1, 'x', true, { toString: 1, valueOf: 1 }, ['a', 1, null], 'not*base64'];

/** JSON texts: the sample with the value at one path replaced, for every path (breadth-limited). */
function* mutations(text: string): Generator<string> {
  const root = JSON.parse(text) as unknown;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (paths.length > 400) return;
    if (path.length > 0) paths.push(path);
    if (Array.isArray(v)) v.slice(0, 3).forEach((x, i) => walk(x, [...path, i]));
    else if (typeof v === 'object' && v !== null) for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...path, k]);
  };
  walk(root, []);
  for (const path of paths) {
    for (const r of REPLACEMENTS) {
      const copy = JSON.parse(text) as unknown;
      let cur = copy as Record<string | number, unknown>;
      for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
      cur[path[path.length - 1]] = r;
      yield JSON.stringify(copy);
    }
  }
}

/** Fields whose declared types are string|null (or number|null) must hold exactly that. */
function checkTypes(value: unknown, where: string): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        assert.ok(x === null || ['string', 'number', 'boolean', 'object'].includes(typeof x), `${where}: ${k} is ${typeof x}`);
        if (typeof x === 'number') assert.ok(Number.isFinite(x), `${where}: ${k} not finite`);
        if (typeof x === 'object' && x !== null) {
          assert.ok(Array.isArray(x) || Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null, `${where}: ${k} is not plain`);
          // rows never carry through the injected object with data toString/valueOf
          assert.ok(!('valueOf' in x && typeof (x as { valueOf: unknown }).valueOf === 'number'), `${where}: ${k} leaked an input object`);
          stack.push(x);
        }
      }
    }
  }
}

const CASES: [string, (text: string, file: string) => { value: unknown; issues: unknown[] }][] = [
  ['ip-j-d-link-show.json.txt', parseIpLinkJson],
  ['ip-j-addr.json.txt', parseIpAddrJson],
  ['ip-j-route.json.txt', parseIpRouteJson],
  ['bridge-j-fdb-show-flannel.1.json.txt', parseBridgeFdbJson],
  ['etcdctl-get-prefix.json.txt', parseEtcdGetJson],
  ['etcd-v3-grpc-gateway-range.json.txt', parseEtcdGetJson],
  ['etcdctl-lease-timetolive-keys.json.txt', parseEtcdLeaseTimeToLive],
  ['etcdctl-lease-list.json.txt', parseEtcdLeaseList],
  ['etcdctl-endpoint-status.json.txt', parseEtcdEndpointStatus],
  ['etcdctl-endpoint-health.json.txt', parseEtcdEndpointHealth],
  ['etcd-v2-http-keys-recursive.json.txt', parseEtcdV2Tree],
  ['etcd-v2-http-key-not-found.json.txt', parseEtcdV2Get],
  ['synthetic-kube-nodes.json', parseKubeNodes],
];

for (const [name, parse] of CASES) {
  test(`type confusion on ${name}`, () => {
    let n = 0;
    for (const text of mutations(sample(name))) {
      n++;
      let r: { value: unknown; issues: unknown[] };
      try {
        r = parse(text, name);
      } catch (e) {
        assert.fail(`${name}: threw on ${text.slice(0, 200)}: ${String(e)}`);
      }
      checkTypes(r.value, name);
    }
    assert.ok(n > 10, `${name}: only ${n} mutations`);
  });
}
