// `kubectl get … -o json` lists: nodes, flannel pods and flannel configmaps. A single object (kind Node
// rather than List) is read as a one-item list.
import type { KubeConfigMapRow, KubeList, KubeNodeRow, KubePodRow, Parsed, ParseIssue } from './types.js';
import { arrAt, isObject, jsonDocIssues, numAt, objAt, parseJsonDoc, strArrAt, strAt, strMapAt } from './json.js';
import { issue } from './util.js';

function kubeList<T>(text: string, file: string, row: (item: unknown, pointer: string, issues: ParseIssue[]) => T | null): Parsed<KubeList<T>> {
  const doc = parseJsonDoc(text, file);
  const issues = jsonDocIssues(doc, file);
  const out: KubeList<T> = { resourceVersion: null, items: [] };
  if (doc.error) return { value: out, issues };
  if (!isObject(doc.value)) return { value: out, issues: [...issues, issue(file, 1, 'expected a JSON object')] };
  out.resourceVersion = strAt(objAt(doc.value, 'metadata'), 'resourceVersion');
  const items = arrAt(doc.value, 'items');
  const entries: [unknown, string][] = items ? items.map((it, i) => [it, `/items/${i}`]) : [[doc.value, '']];
  if (!items && strAt(doc.value, 'kind') === 'List') issues.push(issue(file, null, 'List without items'));
  for (const [item, pointer] of entries) {
    const r = row(item, pointer, issues);
    if (r !== null) out.items.push(r);
  }
  return { value: out, issues };
}

function nameOf(item: unknown, pointer: string, file: string, issues: ParseIssue[]): string | null {
  const name = strAt(objAt(item, 'metadata'), 'name');
  // kubectl pretty-prints: the JSON pointer, not a line, locates the object
  if (name === null) issues.push(issue(file, null, `${pointer || '/'}: object without metadata.name; skipped`));
  return name;
}

export function parseKubeNodes(text: string, file: string): Parsed<KubeList<KubeNodeRow>> {
  return kubeList(text, file, (item, pointer, issues) => {
    const name = nameOf(item, pointer, file, issues);
    if (name === null) return null;
    const meta = objAt(item, 'metadata');
    const spec = objAt(item, 'spec');
    const status = objAt(item, 'status');
    const addresses: { type: string; address: string }[] = [];
    for (const a of arrAt(status, 'addresses') ?? []) {
      const type = strAt(a, 'type');
      const address = strAt(a, 'address');
      if (type !== null && address !== null) addresses.push({ type, address });
    }
    const nodeInfo = objAt(status, 'nodeInfo');
    return {
      name,
      podCIDR: strAt(spec, 'podCIDR'),
      podCIDRs: strArrAt(spec, 'podCIDRs'),
      addresses,
      annotations: strMapAt(meta, 'annotations'),
      labels: strMapAt(meta, 'labels'),
      architecture: strAt(nodeInfo, 'architecture'),
      kubeletVersion: strAt(nodeInfo, 'kubeletVersion'),
      pointer,
    };
  });
}

export function parseKubePods(text: string, file: string): Parsed<KubeList<KubePodRow>> {
  return kubeList(text, file, (item, pointer, issues) => {
    const name = nameOf(item, pointer, file, issues);
    if (name === null) return null;
    const spec = objAt(item, 'spec');
    const status = objAt(item, 'status');
    // the main containers only: init containers (install-cni-plugin) carry other images
    const images = (arrAt(spec, 'containers') ?? []).map((c) => strAt(c, 'image')).filter((s): s is string => s !== null);
    let restartCount = 0;
    for (const cs of arrAt(status, 'containerStatuses') ?? []) restartCount += numAt(cs, 'restartCount') ?? 0;
    return {
      name,
      namespace: strAt(objAt(item, 'metadata'), 'namespace') ?? 'default',
      nodeName: strAt(spec, 'nodeName'),
      images,
      phase: strAt(status, 'phase'),
      restartCount,
      pointer,
    };
  });
}

export function parseKubeConfigMaps(text: string, file: string): Parsed<KubeList<KubeConfigMapRow>> {
  return kubeList(text, file, (item, pointer, issues) => {
    const name = nameOf(item, pointer, file, issues);
    if (name === null) return null;
    return { name, namespace: strAt(objAt(item, 'metadata'), 'namespace') ?? 'default', data: strMapAt(item, 'data'), pointer };
  });
}
