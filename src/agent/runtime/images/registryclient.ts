// A client for one registry speaking the OCI distribution protocol, read-only: the `/v2/` ping,
// anonymous bearer tokens from the realm the registry names, manifests checked against their
// digest, and blob streams (redirects followed by hand so credentials never leave the registry).
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { sha256 } from './digest.js';
import { ImagePullError } from './errors.js';
import { MANIFEST_ACCEPT } from './manifest.js';
import { DOCKER_HUB } from './reference.js';
import { parseChallenges, type Challenge } from './wwwauthenticate.js';

/** containerd's limit: a manifest is metadata, never megabytes. */
const MAX_MANIFEST_SIZE = 4 << 20;
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 10;

export interface FetchedManifest {
  body: Buffer;
  contentType: string;
  digest: string;
}

/** Registries on loopback, and those listed as insecure, speak plain HTTP (as Docker allows); the rest HTTPS. */
export function registryUrl(domain: string, insecureRegistries: readonly string[] = []): string {
  const host = domain === DOCKER_HUB ? 'registry-1.docker.io' : domain;
  const hostname = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  const plain = hostname === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === '::1' || insecureRegistries.includes(domain);
  return `${plain ? 'http' : 'https'}://${host}`;
}

export class RegistryClient {
  private bearer?: Challenge;
  private pinged?: Promise<void>;
  /** Tokens by scope. */
  private readonly tokens = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  /** GETs a manifest or index; a digest reference must match the body, and so must the registry's Docker-Content-Digest. */
  async manifest(repo: string, tagOrDigest: string): Promise<FetchedManifest> {
    const what = `manifest ${repo}:${tagOrDigest}`;
    const res = await this.get(repo, `/v2/${repo}/manifests/${tagOrDigest}`, what, { accept: MANIFEST_ACCEPT }, AbortSignal.timeout(REQUEST_TIMEOUT_MS));
    const body = await readLimited(res, MAX_MANIFEST_SIZE, what);
    const digest = sha256(body);
    const claimed = tagOrDigest.startsWith('sha256:') ? tagOrDigest : res.headers.get('docker-content-digest');
    if (claimed && claimed !== digest) throw new ImagePullError('Invalid', `${what}: digest mismatch, expected ${claimed}, got ${digest}`);
    return { body, contentType: res.headers.get('content-type') ?? '', digest };
  }

  /** The blob's bytes, unverified: the content store checks them as they arrive. */
  async blob(repo: string, digest: string): Promise<AsyncIterable<Buffer>> {
    const res = await this.get(repo, `/v2/${repo}/blobs/${digest}`, `blob ${digest}`);
    return Readable.fromWeb(res.body! as WebReadableStream<Uint8Array>);
  }

  /** A successful GET of `path`, authenticating as the registry asks and following redirects. */
  private async get(repo: string, path: string, what: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
    await (this.pinged ??= this.ping().catch((e: unknown) => {
      this.pinged = undefined; // try again on the next pull
      throw e;
    }));
    const scope = `repository:${repo}:pull`;
    if (this.bearer && !this.tokens.has(scope)) await this.fetchToken(this.bearer, scope);
    let res = await this.send(new URL(path, this.baseUrl), what, headers, scope, signal);
    const challenge = res.status === 401 ? bearerChallenge(res) : undefined;
    if (challenge) {
      await res.body?.cancel();
      await this.fetchToken(challenge, challenge.params.scope ?? scope);
      res = await this.send(new URL(path, this.baseUrl), what, headers, challenge.params.scope ?? scope, signal);
    }
    if (!res.ok) throw await failure(res, what);
    return res;
  }

  /** Sends the token only to the registry's own origin: a redirect to a CDN or bucket gets none. */
  private async send(url: URL, what: string, headers: Record<string, string>, scope: string, signal?: AbortSignal): Promise<Response> {
    const origin = new URL(this.baseUrl).origin;
    for (let hops = 0; ; hops++) {
      const token = url.origin === origin ? this.tokens.get(scope) : undefined;
      const res = await request(url, what, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, redirect: 'manual', signal });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return res;
      await res.body?.cancel();
      if (hops === MAX_REDIRECTS) throw new ImagePullError('Network', `${what}: too many redirects`);
      url = new URL(location, url);
    }
  }

  /** `GET /v2/`: checks this is a registry and learns whether (and where) it wants bearer tokens. */
  private async ping(): Promise<void> {
    const res = await request(new URL('/v2/', this.baseUrl), `registry ${this.baseUrl}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    await res.body?.cancel();
    if (res.status === 401) {
      this.bearer = bearerChallenge(res);
      if (!this.bearer) throw new ImagePullError('Unauthorized', `registry ${this.baseUrl} wants credentials (${res.headers.get('www-authenticate')}); only anonymous bearer tokens are supported`);
    } else if (!res.ok) {
      throw await failure(res, `registry ${this.baseUrl} /v2/`);
    }
  }

  private async fetchToken(challenge: Challenge, scope: string): Promise<void> {
    const url = new URL(challenge.params.realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.set('scope', scope);
    const res = await request(url, `token for ${scope}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!res.ok) throw await failure(res, `token for ${scope} from ${url.origin}`);
    const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const token = body.token ?? body.access_token;
    if (typeof token !== 'string' || !token) throw new ImagePullError('Unauthorized', `token server ${url.origin} returned no token`);
    this.tokens.set(scope, token);
  }
}

function bearerChallenge(res: Response): Challenge | undefined {
  const challenge = parseChallenges(res.headers.get('www-authenticate') ?? '').find((c) => c.scheme === 'bearer');
  return challenge?.params.realm ? challenge : undefined;
}

async function request(url: URL, what: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    const cause = (e as { cause?: Error }).cause ?? (e as Error);
    throw new ImagePullError('Network', `${what}: ${url.origin} unreachable: ${cause.message}`, { cause: e });
  }
}

/** The error for a failed response, with the registry's own error message when it sent one. */
async function failure(res: Response, what: string): Promise<ImagePullError> {
  const text = await res.text().catch(() => '');
  let detail = text.slice(0, 200).trim();
  try {
    const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    if (errors.length) detail = errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  } catch {
    // not JSON: keep the text
  }
  const reason = res.status === 404 ? 'NotFound' : res.status === 401 || res.status === 403 ? 'Unauthorized' : res.status === 429 || res.status >= 500 ? 'Network' : 'Invalid';
  return new ImagePullError(reason, `${what}: HTTP ${res.status}${detail ? ` (${detail})` : ''}`);
}

async function readLimited(res: Response, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > limit) throw new ImagePullError('Invalid', `${what}: larger than ${limit} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
