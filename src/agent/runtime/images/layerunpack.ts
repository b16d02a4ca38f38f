// Unpacks one layer tar into its own empty directory, ready to be an overlayfs lowerdir, as
// containerd's overlay snapshotter does: a whiteout `.wh.X` becomes a 0/0 character device X and
// `.wh..wh..opq` becomes the xattr trusted.overlay.opaque=y on its directory. Nothing may land
// outside the directory: absolute paths, `..`, writing through a symlink and hardlinks to
// anything but a file of this same layer are refused. Owners, modes, times and xattrs are kept.
import { createWriteStream } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ImagePullError } from './errors.js';
import { readTar, type TarEntry } from './tarreader.js';
import { run } from '../run.js';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
/** Other `.wh..wh.` names are aufs bookkeeping (e.g. `.wh..wh.plnk`) that Docker and containerd skip. */
const AUFS_META = '.wh..wh.';
const OPAQUE_XATTR = 'trusted.overlay.opaque';

export async function unpackLayer(tar: AsyncIterable<Buffer>, dest: string): Promise<void> {
  const layer = new LayerWriter(dest);
  for await (const { entry, body } of readTar(tar)) await layer.add(entry, body);
  await layer.finish();
}

const unsafe = (path: string, why: string) => new ImagePullError('Invalid', `layer entry ${JSON.stringify(path)}: ${why}`);

/** The entry's path relative to the layer root ('' is the root); refuses anything that could leave it. */
function relativePath(raw: string): string {
  if (raw.startsWith('/')) throw unsafe(raw, 'absolute paths are not allowed');
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafe(raw, "'..' is not allowed");
  return parts.join('/');
}

function splitPath(rel: string): [parent: string, base: string] {
  const slash = rel.lastIndexOf('/');
  return [rel.slice(0, Math.max(slash, 0)), rel.slice(slash + 1)];
}

async function lstatOrUndefined(path: string) {
  return lstat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
}

/** setfattr: Node has no xattr calls. The value goes base64-encoded, as it may be binary. */
function setXattr(path: string, name: string, value: Buffer): Promise<string> {
  return run('setfattr', ['-h', '-n', name, '-v', `0s${value.toString('base64')}`, path]);
}

class LayerWriter {
  /** Every real directory of the layer so far (relative paths): the only places entries may go. */
  private readonly dirs = new Set(['']);
  /** Directory owners, modes and times, applied last so adding children does not disturb them. */
  private readonly dirMeta = new Map<string, TarEntry>();

  constructor(private readonly root: string) {}

  async add(entry: TarEntry, body: AsyncIterable<Buffer>): Promise<void> {
    const rel = relativePath(entry.path);
    if (rel === '') {
      if (entry.type === 'dir') this.dirMeta.set('', entry);
      return;
    }
    if (rel.split('/').some((p) => p.startsWith(AUFS_META) && p !== OPAQUE)) return;
    const [parent, base] = splitPath(rel);
    await this.ensureDir(parent, entry.path);
    if (base.startsWith(WHITEOUT)) return this.whiteout(parent, base, entry);
    const path = join(this.root, rel);
    await this.clear(rel, entry.type === 'dir');
    switch (entry.type) {
      case 'dir':
        await mkdir(path, { mode: 0o755 }).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'EEXIST') throw e;
        });
        this.dirs.add(rel);
        this.dirMeta.set(rel, entry);
        break;
      case 'file':
        await pipeline(body, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
        await this.setMetadata(path, entry);
        break;
      case 'symlink':
        // The target is only resolved inside the container's root, so any target is fine here.
        await symlink(entry.linkPath, path);
        await this.setMetadata(path, entry);
        break;
      case 'hardlink':
        await link(await this.hardlinkTarget(entry), path);
        return; // shares the target's inode, metadata and xattrs
      default: {
        const kind = { chardev: ['c'], blockdev: ['b'], fifo: ['p'] }[entry.type];
        const numbers = entry.type === 'fifo' ? [] : [String(entry.devMajor), String(entry.devMinor)];
        await run('mknod', ['-m', (entry.mode & 0o777).toString(8), path, ...kind, ...numbers]);
        await this.setMetadata(path, entry);
      }
    }
    for (const [name, value] of entry.xattrs) {
      // Overlay's own xattrs would let a layer steer the mount (redirects, opaque dirs); only whiteouts may set them.
      if (!name.startsWith('trusted.overlay.')) await setXattr(path, name, value);
    }
  }

  /** Applies the deferred directory metadata; a layer root the tar does not describe gets 0755 root:root. */
  async finish(): Promise<void> {
    if (!this.dirMeta.has('')) await chmod(this.root, 0o755);
    for (const [rel, entry] of this.dirMeta) await this.setMetadata(join(this.root, rel), entry);
  }

  /** Makes `rel` a directory of this layer, refusing to go through a symlink or a file. */
  private async ensureDir(rel: string, entryPath: string): Promise<void> {
    if (this.dirs.has(rel)) return;
    const [parent] = splitPath(rel);
    await this.ensureDir(parent, entryPath);
    const path = join(this.root, rel);
    const st = await lstatOrUndefined(path);
    if (!st) await mkdir(path, { mode: 0o755 });
    else if (st.isSymbolicLink()) throw unsafe(entryPath, `${rel} is a symlink; entries may not be written through it`);
    else if (!st.isDirectory()) throw unsafe(entryPath, `${rel} is not a directory`);
    this.dirs.add(rel);
  }

  /** Removes what an earlier entry of this layer put at `rel`, unless a directory meets a directory. */
  private async clear(rel: string, keepDir: boolean): Promise<void> {
    const st = await lstatOrUndefined(join(this.root, rel));
    if (!st || (keepDir && st.isDirectory())) return;
    await rm(join(this.root, rel), { recursive: true, force: true });
    if (!st.isDirectory()) return;
    const inside = (p: string) => p === rel || p.startsWith(`${rel}/`);
    for (const d of this.dirs) if (inside(d)) this.dirs.delete(d);
    for (const d of this.dirMeta.keys()) if (inside(d)) this.dirMeta.delete(d);
  }

  private async whiteout(parent: string, base: string, entry: TarEntry): Promise<void> {
    if (base === OPAQUE) {
      await setXattr(join(this.root, parent), OPAQUE_XATTR, Buffer.from('y'));
      return;
    }
    const name = base.slice(WHITEOUT.length);
    if (!name || name === '.' || name === '..') throw unsafe(entry.path, 'bad whiteout name');
    const rel = parent ? `${parent}/${name}` : name;
    await this.clear(rel, false);
    const path = join(this.root, rel);
    await run('mknod', ['-m', '000', path, 'c', '0', '0']);
    await lchown(path, entry.uid, entry.gid);
  }

  /** The file a hardlink names: inside this layer, reached through real directories only, not a directory. */
  private async hardlinkTarget(entry: TarEntry): Promise<string> {
    const rel = relativePath(entry.linkPath);
    if (!this.dirs.has(splitPath(rel)[0])) throw unsafe(entry.path, `hardlink target ${JSON.stringify(entry.linkPath)} is not inside this layer`);
    const st = await lstatOrUndefined(join(this.root, rel));
    if (!st || rel === '') throw unsafe(entry.path, `hardlink target ${JSON.stringify(entry.linkPath)} is not in this layer`);
    if (st.isDirectory()) throw unsafe(entry.path, 'hardlinks to directories are not allowed');
    return join(this.root, rel);
  }

  /** Owner first: chown clears setuid/setgid, which chmod then restores. */
  private async setMetadata(path: string, entry: TarEntry): Promise<void> {
    await lchown(path, entry.uid, entry.gid);
    if (entry.type !== 'symlink') await chmod(path, entry.mode);
    await lutimes(path, entry.mtime, entry.mtime);
  }
}
