// Parses `WWW-Authenticate` challenges (RFC 7235), e.g. a registry's
// `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:app:pull"`.

export interface Challenge {
  /** Lowercase, e.g. `bearer`. */
  scheme: string;
  /** Parameter names lowercased, quoted values unescaped. */
  params: Record<string, string>;
}

const ITEM = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*)))?\s*,?/y;

export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  ITEM.lastIndex = 0;
  for (let m = ITEM.exec(header); m && m[0]; m = ITEM.exec(header)) {
    const [, name, quoted, bare] = m;
    if (quoted === undefined && bare === undefined) challenges.push({ scheme: name.toLowerCase(), params: {} });
    else if (challenges.length) challenges[challenges.length - 1].params[name.toLowerCase()] = quoted?.replace(/\\(.)/g, '$1') ?? bare;
  }
  return challenges;
}
