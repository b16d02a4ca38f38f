// Image references as Docker and Kubernetes (containerd's ParseDockerRef) read them:
// `nginx` is `docker.io/library/nginx:latest`, a first component with a dot, a colon or named
// `localhost` is a registry host, and a reference with both tag and digest keeps only the digest.
import { InvalidReferenceError } from './errors.js';

export const DOCKER_HUB = 'docker.io';
const MAX_NAME_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const ANY_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export class ImageReference {
  private constructor(
    /** Registry host[:port], e.g. `docker.io` or `127.0.0.1:5000`. */
    readonly domain: string,
    /** Repository path inside the registry, e.g. `library/busybox`. */
    readonly path: string,
    readonly tag: string | undefined,
    readonly digest: string | undefined,
  ) {}

  static parse(input: string): ImageReference {
    const fail = (why: string): never => {
      throw new InvalidReferenceError(`invalid image reference ${JSON.stringify(input)}: ${why}`);
    };
    if (!input) fail('it is empty');
    let rest = input;
    let digest: string | undefined;
    const at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.slice(at + 1);
      rest = rest.slice(0, at);
      if (!ANY_DIGEST.test(digest)) fail(`bad digest ${JSON.stringify(digest)}`);
      if (!DIGEST.test(digest)) fail(`unsupported digest ${JSON.stringify(digest)} (only sha256 with 64 lowercase hex digits)`);
    }
    let tag: string | undefined;
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
      if (!TAG.test(tag)) fail(`bad tag ${JSON.stringify(tag)}`);
    }
    const slash = rest.indexOf('/');
    const first = slash < 0 ? '' : rest.slice(0, slash);
    const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
    let domain = hasDomain ? first : DOCKER_HUB;
    let path = hasDomain ? rest.slice(slash + 1) : rest;
    if (hasDomain && !DOMAIN.test(domain)) fail(`bad registry host ${JSON.stringify(domain)}`);
    if (domain === 'index.docker.io') domain = DOCKER_HUB;
    if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
    if (path !== path.toLowerCase()) fail('repository name must be lowercase');
    if (!path.split('/').every((c) => PATH_COMPONENT.test(c))) fail(`bad repository name ${JSON.stringify(path)}`);
    if (/^[a-f0-9]{64}$/.test(rest)) fail('a 64-character hex string is an image ID, not a repository name');
    if (domain.length + 1 + path.length > MAX_NAME_LENGTH) fail(`repository name is longer than ${MAX_NAME_LENGTH} characters`);
    return new ImageReference(domain, path, digest ? undefined : tag ?? 'latest', digest);
  }

  /** `domain/path`: the repository, without tag or digest. */
  get name(): string {
    return `${this.domain}/${this.path}`;
  }

  /** What the registry's manifests endpoint is asked for. */
  get tagOrDigest(): string {
    return (this.digest ?? this.tag)!;
  }

  toString(): string {
    return this.digest ? `${this.name}@${this.digest}` : `${this.name}:${this.tag}`;
  }
}
