// The cluster's PKI, made on first start: a CA, the API server's serving certificate and an admin
// client certificate (O=system:masters) for the kubeconfig. ECDSA P-256 keeps generation fast.
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it loaded first
import * as x509 from '@peculiar/x509';
import type { KeyPairPem } from '../api/nodecontract.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export type { KeyPairPem };

export interface ClusterPki {
  ca: KeyPairPem;
  server: KeyPairPem;
  admin: KeyPairPem;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']) as unknown as CryptoKey;
}

const serial = (): string => Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');

interface Issue {
  subject: string;
  issuer?: { cert: x509.X509Certificate; key: CryptoKey };
  ca?: boolean;
  usages: 'server' | 'client' | 'ca';
  hosts?: string[];
}

async function issue(spec: Issue): Promise<{ pem: KeyPairPem; cert: x509.X509Certificate; key: CryptoKey }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const now = Date.now();
  const extensions: x509.Extension[] = [];
  if (spec.usages === 'ca') {
    extensions.push(new x509.BasicConstraintsExtension(true, undefined, true));
    extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true));
  } else {
    extensions.push(new x509.BasicConstraintsExtension(false, undefined, true));
    extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true));
    extensions.push(new x509.ExtendedKeyUsageExtension([spec.usages === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]));
  }
  if (spec.hosts?.length) {
    const names = spec.hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
    extensions.push(new x509.SubjectAlternativeNameExtension(names));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: spec.subject,
    issuer: spec.issuer ? spec.issuer.cert.subject : spec.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + TEN_YEARS_MS),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: spec.issuer ? spec.issuer.key : keys.privateKey,
    extensions,
  });
  return { pem: { cert: cert.toString('pem') + '\n', key: await keyPem(keys.privateKey) }, cert, key: keys.privateKey };
}

async function issueFromCa(ca: KeyPairPem, subject: string, usages: 'client' | 'server', hosts?: string[]): Promise<KeyPairPem> {
  const issuer = { cert: new x509.X509Certificate(ca.cert), key: await importKey(ca.key) };
  return (await issue({ subject, issuer, usages, hosts })).pem;
}

/** Issues a client certificate signed by the CA, e.g. for a node agent (CN=system:node:NAME, O=system:nodes). */
export function issueClientCert(ca: KeyPairPem, commonName: string, organization?: string): Promise<KeyPairPem> {
  return issueFromCa(ca, organization ? `CN=${commonName}, O=${organization}` : `CN=${commonName}`, 'client');
}

/** Issues a serving certificate signed by the CA for these DNS names and IPs, e.g. a node agent's streaming server. */
export function issueServingCert(ca: KeyPairPem, commonName: string, hosts: string[]): Promise<KeyPairPem> {
  return issueFromCa(ca, `CN=${commonName}`, 'server', hosts);
}

export async function createPki(hosts: string[]): Promise<ClusterPki> {
  const ca = await issue({ subject: `CN=tinykube-ca@${Math.floor(Date.now() / 1000)}`, usages: 'ca' });
  const issuer = { cert: ca.cert, key: ca.key };
  const server = await issue({ subject: 'CN=tinykube-apiserver', issuer, usages: 'server', hosts });
  const admin = await issue({ subject: 'CN=admin, O=system:masters', issuer, usages: 'client' });
  return { ca: ca.pem, server: server.pem, admin: admin.pem };
}

const FILES = { ca: 'ca', server: 'server', admin: 'admin' } as const;

/** Loads the PKI from `dir`, creating it on first start. */
export async function loadOrCreatePki(dir: string, hosts: string[]): Promise<ClusterPki> {
  const path = (n: string, ext: string) => join(dir, `${n}.${ext}`);
  if (existsSync(path('ca', 'crt'))) {
    const read = (n: string): KeyPairPem => ({ cert: readFileSync(path(n, 'crt'), 'utf8'), key: readFileSync(path(n, 'key'), 'utf8') });
    return { ca: read('ca'), server: read('server'), admin: read('admin') };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pki = await createPki(hosts);
  for (const n of Object.keys(FILES) as (keyof ClusterPki)[]) {
    writeFileSync(path(n, 'key'), pki[n].key, { mode: 0o600 });
    writeFileSync(path(n, 'crt'), pki[n].cert);
  }
  return pki;
}

/** The subject fields of a verified peer certificate, as Node reports them. */
export function userFromCertSubject(subject: { CN?: string | string[]; O?: string | string[] } | undefined): { name: string; groups: string[] } | undefined {
  if (!subject?.CN) return undefined;
  const cn = Array.isArray(subject.CN) ? subject.CN[0] : subject.CN;
  const o = subject.O === undefined ? [] : Array.isArray(subject.O) ? subject.O : [subject.O];
  return { name: cn, groups: o };
}
