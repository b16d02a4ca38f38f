// The image config blob: what the agent needs to run a container (entrypoint, env, user, …) and
// the layer diff_ids every unpacked layer is checked against.
import { checkDigest } from './digest.js';
import { ImagePullError } from './errors.js';
import { formatPlatform, hostPlatform, parseJson } from './manifest.js';

export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  stopSignal?: string;
  labels?: Record<string, string>;
}

export interface ParsedImageConfig {
  config: ImageConfig;
  /** sha256 of each uncompressed layer tar, bottom → top. */
  diffIds: string[];
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const text = (v: unknown): v is string => typeof v === 'string' && v !== '';

export function parseImageConfig(body: Buffer): ParsedImageConfig {
  const json = parseJson(body, 'image config');
  const host = hostPlatform();
  if (typeof json.architecture === 'string' && (json.os !== host.os || json.architecture !== host.architecture)) {
    throw new ImagePullError('Invalid', `image is for ${formatPlatform({ os: String(json.os), architecture: json.architecture })}, this node is ${formatPlatform(host)}`);
  }
  const rootfs = json.rootfs as { type?: unknown; diff_ids?: unknown } | undefined;
  if (rootfs?.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) throw new ImagePullError('Invalid', 'image config has no rootfs.diff_ids');
  const diffIds = rootfs.diff_ids.map((d, i) => checkDigest(d, `image config rootfs.diff_ids[${i}]`));
  const c = (json.config ?? {}) as Record<string, unknown>;
  const labels = c.Labels && typeof c.Labels === 'object' ? Object.entries(c.Labels).filter(([, v]) => typeof v === 'string') : [];
  const config: ImageConfig = {
    ...(strings(c.Entrypoint) ? { entrypoint: c.Entrypoint } : {}),
    ...(strings(c.Cmd) ? { cmd: c.Cmd } : {}),
    ...(strings(c.Env) ? { env: c.Env } : {}),
    ...(text(c.WorkingDir) ? { workingDir: c.WorkingDir } : {}),
    ...(text(c.User) ? { user: c.User } : {}),
    ...(text(c.StopSignal) ? { stopSignal: c.StopSignal } : {}),
    ...(labels.length ? { labels: Object.fromEntries(labels) } : {}),
  };
  return { config, diffIds };
}
