// Deployment test fixtures: a deployment and replica sets in the shapes the rollout math reads.
import type { DeploymentObj, RSObj } from '../../src/controllers/deployment/util.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export const template = (image = 'busybox:1.36') => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } });

export function dep(replicas: number, surge: number | string = '25%', unavailable: number | string = '25%', extra: Json = {}): DeploymentObj {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'd1', generation: 1, ...(extra.metadata ?? {}) },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } }, progressDeadlineSeconds: 600, ...(extra.spec ?? {}) },
    status: extra.status ?? {},
  } as unknown as DeploymentObj;
}

let seq = 0;
export function rs(name: string, replicas: number, available = replicas, annotations: Record<string, string> = {}): RSObj {
  return {
    metadata: { name, namespace: 'default', uid: name, creationTimestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, seq++)).toISOString(), annotations },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template() },
    status: { replicas, readyReplicas: available, availableReplicas: available },
  } as unknown as RSObj;
}
