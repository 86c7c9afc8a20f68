// etcdctl (v3 `-w json`, v2 text/JSON), the v2 keys HTTP API and etcdctl's error texts. int64 ids never
// pass through JS numbers: they are quoted before JSON.parse and kept as decimal strings.
import type {
  EtcdEndpointHealth,
  EtcdEndpointStatus,
  EtcdErrorCode,
  EtcdGetResult,
  EtcdKv,
  EtcdLeaseTtl,
  EtcdV2Error,
  EtcdV2Node,
  EtcdV2Result,
  EtcdVersionInfo,
  Parsed,
  ParseIssue,
} from './types.js';
import { arrAt, boolAt, isObject, jsonDocIssues, numAt, objAt, parseJsonDoc, prop, quoteIntegerFields, strAt } from './json.js';
import { clip, collectLines, issue, toInt, type TextLine } from './util.js';

/** etcd v3 fields that are int64 (ids above 2^53 that JSON.parse would corrupt, and revisions). */
const INT64_FIELDS: ReadonlySet<string> = new Set([
  'lease', 'id', 'ID', 'cluster_id', 'member_id', 'leader', 'revision', 'raft_term', 'create_revision', 'mod_revision', 'version',
]);

/** Parses etcd JSON with int64 fields as decimal strings. Error positions refer to the original text. */
function parseEtcdJson(text: string, file: string): { value: unknown; issues: ParseIssue[] } {
  const doc = parseJsonDoc(quoteIntegerFields(text, INT64_FIELDS), file);
  if (!doc.error) return { value: doc.value, issues: [] };
  return { value: null, issues: jsonDocIssues(parseJsonDoc(text, file), file) };
}

/**
 * A decimal that fits in 64 bits (int64 ids, or uint64 cluster/member ids). 20 digits alone is not
 * enough: 2^64 + N would wrap (BigInt.asUintN) onto lease N's hex id and borrow that lease's TTL.
 */
function fits64(s: string): boolean {
  return /^-?\d{1,20}$/.test(s) && BigInt(s) >= -(2n ** 63n) && BigInt(s) < 2n ** 64n;
}

/** An int64 field as a decimal string; numbers are accepted only when exact (gateway output is quoted already). */
function int64At(o: unknown, key: string, file: string, where: string, issues: ParseIssue[]): string | null {
  const v = prop(o, key);
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' && fits64(v)) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  // never String(v) on an object: `{"toString":1,"valueOf":1}` makes that throw
  const shown = typeof v === 'string' || typeof v === 'number' ? clip(String(v), 40) : `a JSON ${Array.isArray(v) ? 'array' : typeof v}`;
  issues.push(issue(file, 1, `${where}/${key}: not an exact integer: ${shown}`));
  return null;
}

/** A small count (ttl, dbSize) given as a JSON number or, by the gRPC gateway, a decimal string. */
function countAt(o: unknown, key: string): number | null {
  const v = prop(o, key);
  if (typeof v === 'string') return toInt(v);
  return numAt(o, key);
}

/** Hex lease id as etcdctl prints it in text output and file names (`%016x`: lowercase, 16 digits). */
export function leaseIdHex(decimal: string): string | null {
  if (!fits64(decimal)) return null;
  const v = BigInt.asUintN(64, BigInt(decimal));
  return v.toString(16).padStart(16, '0');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Strict base64 → UTF-8 (Buffer.from silently skips invalid characters, so validate first). */
export function decodeBase64(s: string): { text: string | null; error: string | null } {
  if (s.length % 4 !== 0 || !BASE64.test(s)) return { text: null, error: 'invalid base64' };
  const bytes = Buffer.from(s, 'base64');
  try {
    return { text: UTF8.decode(bytes), error: null };
  } catch {
    return { text: bytes.toString('utf8'), error: 'value is not valid UTF-8 (invalid bytes replaced)' };
  }
}

function emptyGet(): EtcdGetResult {
  return { clusterId: null, memberId: null, revision: null, kvs: [], more: false };
}

/** `etcdctl get --prefix P -w json`. No match gives just the header (no kvs): an empty list, no issue. */
export function parseEtcdGetJson(text: string, file: string): Parsed<EtcdGetResult> {
  const { value: doc, issues } = parseEtcdJson(text, file);
  const out = emptyGet();
  if (doc === null) return { value: out, issues };
  if (!isObject(doc)) return { value: out, issues: [...issues, issue(file, 1, 'expected a JSON object')] };
  const header = objAt(doc, 'header');
  out.clusterId = int64At(header, 'cluster_id', file, '/header', issues);
  out.memberId = int64At(header, 'member_id', file, '/header', issues);
  out.revision = int64At(header, 'revision', file, '/header', issues);
  out.more = boolAt(doc, 'more') ?? false;
  (arrAt(doc, 'kvs') ?? []).forEach((kv, i) => {
    const pointer = `/kvs/${i}`;
    const rawKey = strAt(kv, 'key');
    const key = rawKey === null ? null : decodeBase64(rawKey);
    if (key === null || key.text === null) {
      issues.push(issue(file, 1, `${pointer}/key: ${key === null ? 'missing' : 'invalid base64'}; entry skipped`));
      return;
    }
    if (key.error) issues.push(issue(file, 1, `${pointer}/key: ${key.error}`));
    // proto3 JSON omits empty bytes: no `value` is the empty value
    const rawValue = strAt(kv, 'value') ?? '';
    const value = decodeBase64(rawValue);
    if (value.error) issues.push(issue(file, 1, `${pointer}/value: ${value.error}`));
    const row: EtcdKv = {
      key: key.text,
      value: value.text,
      lease: int64At(kv, 'lease', file, pointer, issues),
      createRevision: int64At(kv, 'create_revision', file, pointer, issues),
      modRevision: int64At(kv, 'mod_revision', file, pointer, issues),
      version: int64At(kv, 'version', file, pointer, issues),
      pointer,
    };
    if (row.lease === '0') row.lease = null; // 0 is "no lease" in etcd's own encoding
    out.kvs.push(row);
  });
  return { value: out, issues };
}

/** `etcdctl lease timetolive HEX --keys -w json` (also the gateway's `ID`/`TTL`/`grantedTTL`). */
export function parseEtcdLeaseTimeToLive(text: string, file: string): Parsed<EtcdLeaseTtl | null> {
  const { value: doc, issues } = parseEtcdJson(text, file);
  if (doc === null) return { value: null, issues };
  const id = int64At(doc, 'id', file, '', issues) ?? int64At(doc, 'ID', file, '', issues);
  const ttl = countAt(doc, 'ttl') ?? countAt(doc, 'TTL');
  const hex = id === null ? null : leaseIdHex(id);
  if (id === null || hex === null || ttl === null) {
    issues.push(issue(file, 1, 'not a lease timetolive answer (no id or ttl)'));
    return { value: null, issues };
  }
  const keys: string[] = [];
  (arrAt(doc, 'keys') ?? []).forEach((k, i) => {
    const d = typeof k === 'string' ? decodeBase64(k) : null;
    if (d && d.text !== null) keys.push(d.text);
    else issues.push(issue(file, 1, `/keys/${i}: invalid base64; key skipped`));
  });
  const grantedTtl = countAt(doc, 'granted-ttl') ?? countAt(doc, 'grantedTTL') ?? 0;
  return { value: { id, idHex: hex, ttl, grantedTtl, keys }, issues };
}

/** `etcdctl lease list -w json` → decimal lease ids. No leases: `leases` is absent or null. */
export function parseEtcdLeaseList(text: string, file: string): Parsed<string[]> {
  const { value: doc, issues } = parseEtcdJson(text, file);
  const ids: string[] = [];
  if (doc === null) return { value: ids, issues };
  if (!isObject(doc)) return { value: ids, issues: [...issues, issue(file, 1, 'expected a JSON object')] };
  (arrAt(doc, 'leases') ?? []).forEach((l, i) => {
    const id = int64At(l, 'id', file, `/leases/${i}`, issues) ?? int64At(l, 'ID', file, `/leases/${i}`, issues);
    if (id !== null) ids.push(id);
    else issues.push(issue(file, 1, `/leases/${i}: lease without id`));
  });
  return { value: ids, issues };
}

function jsonArrayDoc(text: string, file: string): { rows: unknown[]; issues: ParseIssue[] } {
  const { value, issues } = parseEtcdJson(text, file);
  if (value === null) return { rows: [], issues };
  if (!Array.isArray(value)) return { rows: [], issues: [...issues, issue(file, 1, 'expected a JSON array')] };
  return { rows: value, issues };
}

/** `etcdctl endpoint status -w json`. */
export function parseEtcdEndpointStatus(text: string, file: string): Parsed<EtcdEndpointStatus[]> {
  const { rows, issues } = jsonArrayDoc(text, file);
  const value: EtcdEndpointStatus[] = [];
  rows.forEach((r, i) => {
    const endpoint = strAt(r, 'Endpoint');
    if (endpoint === null) {
      issues.push(issue(file, 1, `/${i}: status without Endpoint`));
      return;
    }
    const status = objAt(r, 'Status');
    const header = objAt(status, 'header');
    const at = `/${i}/Status`;
    value.push({
      endpoint,
      version: strAt(status, 'version'),
      dbSize: countAt(status, 'dbSize'),
      leader: int64At(status, 'leader', file, at, issues),
      memberId: int64At(header, 'member_id', file, `${at}/header`, issues),
      revision: int64At(header, 'revision', file, `${at}/header`, issues),
      clusterId: int64At(header, 'cluster_id', file, `${at}/header`, issues),
    });
  });
  return { value, issues };
}

/** `etcdctl endpoint health -w json`. */
export function parseEtcdEndpointHealth(text: string, file: string): Parsed<EtcdEndpointHealth[]> {
  const { rows, issues } = jsonArrayDoc(text, file);
  const value: EtcdEndpointHealth[] = [];
  rows.forEach((r, i) => {
    const endpoint = strAt(r, 'endpoint');
    if (endpoint === null) {
      issues.push(issue(file, 1, `/${i}: health entry without endpoint`));
      return;
    }
    value.push({ endpoint, health: boolAt(r, 'health') === true, error: strAt(r, 'error'), took: strAt(r, 'took') });
  });
  return { value, issues };
}

/** `etcdctl version`: `etcdctl version: 3.4.23` / `API version: 3.4` (v2 etcdctl: `etcdctl version 2.3.8`). */
export function parseEtcdVersion(text: string, file: string): Parsed<EtcdVersionInfo> {
  const issues: ParseIssue[] = [];
  const value: EtcdVersionInfo = { etcdctlVersion: null, apiVersion: null };
  for (const { text: line } of collectLines(text, file, issues)) {
    const t = line.trim();
    if (t.startsWith('etcdctl version')) value.etcdctlVersion = t.slice('etcdctl version'.length).replace(/^:? */, '') || null;
    else if (t.startsWith('API version:')) value.apiVersion = t.slice('API version:'.length).trim() || null;
  }
  if (value.etcdctlVersion === null) issues.push(issue(file, null, 'no `etcdctl version` line'));
  return { value, issues };
}

// ---- v2 -------------------------------------------------------------------------------------------

/** `Error:  100: Key not found (/coreos.com) [3]`, or `Error:  client: response is invalid json. …`. */
function v2ErrorFromLine(l: TextLine): EtcdV2Error {
  let rest = l.text.trim().slice('Error:'.length).trim();
  let code: number | null = null;
  let cause: string | null = null;
  let index: number | null = null;
  const colon = rest.indexOf(': ');
  if (colon > 0 && /^\d{1,6}$/.test(rest.slice(0, colon))) {
    code = Number(rest.slice(0, colon));
    rest = rest.slice(colon + 2);
    const open = rest.lastIndexOf(' [');
    if (rest.endsWith(']') && open !== -1) {
      index = toInt(rest.slice(open + 2, -1));
      rest = rest.slice(0, open);
    }
    const paren = rest.lastIndexOf(' (');
    if (rest.endsWith(')') && paren !== -1) {
      cause = rest.slice(paren + 2, -1);
      rest = rest.slice(0, paren);
    }
  }
  return { code, message: clip(rest, 300), cause, index, line: l.no };
}

function v2ErrorFromJson(o: unknown): EtcdV2Error | null {
  const code = numAt(o, 'errorCode');
  if (code === null) return null;
  return { code, message: strAt(o, 'message') ?? '', cause: strAt(o, 'cause'), index: numAt(o, 'index'), line: 1 };
}

/** Flattens a v2 node tree in pre-order, iteratively (depth is bounded by the JSON guard anyway). */
function flattenV2(root: unknown, file: string, issues: ParseIssue[]): EtcdV2Node[] {
  const out: EtcdV2Node[] = [];
  const stack: { node: unknown; pointer: string }[] = [{ node: root, pointer: '/node' }];
  while (stack.length > 0) {
    const { node, pointer } = stack.pop() as { node: unknown; pointer: string };
    const key = strAt(node, 'key');
    const children = arrAt(node, 'nodes') ?? [];
    const dir = boolAt(node, 'dir') === true;
    if (key === null) {
      // the v2 root directory has no key
      if (!(dir && pointer === '/node')) issues.push(issue(file, 1, `${pointer}: node without key`));
    } else {
      out.push({ key, value: dir ? null : strAt(node, 'value'), dir, ttl: numAt(node, 'ttl'), expiration: strAt(node, 'expiration') });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], pointer: `${pointer}/nodes/${i}` });
  }
  return out;
}

function v2FromJson(text: string, file: string): Parsed<EtcdV2Result> {
  const doc = parseJsonDoc(text, file);
  const issues = jsonDocIssues(doc, file);
  if (doc.error) return { value: { nodes: [], error: null }, issues };
  const error = v2ErrorFromJson(doc.value);
  if (error) return { value: { nodes: [], error }, issues };
  const node = prop(doc.value, 'node');
  if (!isObject(node)) return { value: { nodes: [], error: null }, issues: [...issues, issue(file, 1, 'neither a v2 node nor a v2 error')] };
  return { value: { nodes: flattenV2(node, file, issues), error: null }, issues };
}

function errorLine(lines: TextLine[]): TextLine | undefined {
  return lines.find((l) => l.text.trimStart().startsWith('Error:'));
}

/** `ETCDCTL_API=2 etcdctl -o json get KEY`: a JSON node, or an `Error:` line (exit 4). */
export function parseEtcdV2Get(text: string, file: string): Parsed<EtcdV2Result> {
  if (text.trimStart().startsWith('{')) return v2FromJson(text, file);
  const issues: ParseIssue[] = [];
  const lines = collectLines(text, file, issues);
  const err = errorLine(lines);
  if (err) return { value: { nodes: [], error: v2ErrorFromLine(err) }, issues };
  const first = lines.find((l) => l.text.trim() !== '');
  if (first) issues.push(issue(file, first.no, `neither JSON nor an etcdctl error: ${clip(first.text, 80)}`));
  return { value: { nodes: [], error: null }, issues };
}

/** The v2 keys HTTP API (`/v2/keys/P?recursive=true`): nested `node.nodes[]` or `{"errorCode":…}`. */
export function parseEtcdV2Tree(text: string, file: string): Parsed<EtcdV2Result> {
  return v2FromJson(text, file);
}

/** `ETCDCTL_API=2 etcdctl ls --recursive P`: one key per line (unsorted; `-p` marks dirs with `/`). */
export function parseEtcdV2Ls(text: string, file: string): Parsed<EtcdV2Result> {
  const issues: ParseIssue[] = [];
  const lines = collectLines(text, file, issues);
  const err = errorLine(lines);
  if (err) return { value: { nodes: [], error: v2ErrorFromLine(err) }, issues };
  const nodes: EtcdV2Node[] = [];
  for (const l of lines) {
    const key = l.text.trim();
    if (key === '') continue;
    if (!key.startsWith('/')) {
      issues.push(issue(file, l.no, `not a key: ${clip(key, 80)}`));
      continue;
    }
    const dir = key.length > 1 && key.endsWith('/');
    nodes.push({ key: dir ? key.slice(0, -1) : key, value: null, dir, ttl: null, expiration: null });
  }
  return { value: { nodes, error: null }, issues };
}

/** What an etcdctl failure was about, from its stderr. The more specific cause wins. */
/**
 * One line for a report from etcdctl's stderr: its last `Error: ...` line, with the cause from the
 * client's JSON retry warning when it adds something (`context deadline exceeded (latest balancer error: ...)`).
 */
export function summarizeEtcdError(stderrText: string): string {
  const lines = stderrText.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const final = [...lines].reverse().find((l) => l.startsWith('Error:'))?.replace(/^Error:\s*/, '') ?? lines[0] ?? '';
  const warn = lines.find((l) => l.startsWith('{') && l.length < 8192 && l.includes('"error":"'));
  let cause = '';
  if (warn) {
    try {
      const e: unknown = (JSON.parse(warn) as { error?: unknown }).error;
      if (typeof e === 'string') cause = e.replace(/^rpc error: code = \w+ desc = /, '');
    } catch {
      /* not JSON after all: the final line alone */
    }
  }
  return cause && !final.includes(cause) ? `${final} (${cause})` : final;
}

export function classifyEtcdError(stderrText: string): EtcdErrorCode {
  const s = stderrText.length > 1 << 20 ? stderrText.slice(-(1 << 20)) : stderrText;
  if (s.trim() === '') return 'none';
  const has = (...needles: string[]): boolean => needles.some((n) => s.includes(n));
  if (has('certificate signed by unknown authority')) return 'tls-unknown-authority';
  if (has('tls: bad certificate', 'alert bad certificate', 'tls: certificate required', 'certificate is not valid for', 'certificate has expired', 'tls: unknown certificate')) return 'tls-bad-certificate';
  if (has('x509:', 'tls: ', 'authentication handshake failed')) return 'tls-other';
  if (has('authentication failed', 'invalid user ID or password', 'user name is empty', 'etcdserver: permission denied', 'invalid auth token', 'user name not found')) return 'auth-failed';
  if (has('response is invalid json', '404 page not found')) return 'v2-disabled';
  if (has('Key not found', 'key not found')) return 'key-not-found';
  if (has('connection refused', 'no route to host', 'network is unreachable', 'no such host', 'TransientFailure', 'cluster is unavailable', 'i/o timeout')) return 'unreachable';
  if (has('context deadline exceeded', 'DeadlineExceeded')) return 'deadline-exceeded';
  return 'other';
}
