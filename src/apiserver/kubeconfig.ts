// Writes the admin kubeconfig kubectl and client libraries read.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { KeyPairPem } from './pki.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

export function kubeconfigYaml(server: string, caCert: string, user: KeyPairPem, name = 'tinykube'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': b64(caCert) } }],
    users: [{ name: `${name}-admin`, user: { 'client-certificate-data': b64(user.cert), 'client-key-data': b64(user.key) } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, server: string, caCert: string, user: KeyPairPem): void {
  writeFileSync(path, kubeconfigYaml(server, caCert, user), { mode: 0o600 });
}
