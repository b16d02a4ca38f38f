// Which images the node has, in one JSON file. An image is a repository plus manifest digest
// (its repoDigest) with any number of tags; a tag moved by a newer pull leaves the old image in
// place, untagged, so containers still running on its layers keep them until it is removed by
// digest or ID (as containerd and Docker keep "<none>" images). Every change re-reads the file
// and replaces it by rename in one synchronous step, so the agent and a CLI on the same store
// do not lose each other's updates.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { ImageConfig } from './imageconfig.js';

export interface ImageRecord {
  repoDigest: string;
  /** Normalized tagged references pointing at this image. */
  tags: string[];
  id: string;
  config: ImageConfig;
  /** Layer diff_ids, bottom → top. */
  diffIds: string[];
  /** Manifests and config this image keeps in the content store. */
  blobs: string[];
  size: number;
}

export class ImageRecords {
  private cache: { stamp: string; records: ImageRecord[] } = { stamp: '', records: [] };

  constructor(private readonly file: string, private readonly tempPath: () => string) {}

  all(): ImageRecord[] {
    const stamp = this.stamp();
    if (stamp !== this.cache.stamp) this.cache = { stamp, records: stamp ? this.read() : [] };
    return this.cache.records;
  }

  /** Stores the image and points `tag` at it, taking the tag from any image that had it. */
  save(image: Omit<ImageRecord, 'tags'>, tag?: string): void {
    this.update((records) => {
      if (tag) for (const r of records) r.tags = r.tags.filter((t) => t !== tag);
      const existing = records.find((r) => r.repoDigest === image.repoDigest);
      const tags = [...new Set([...(existing?.tags ?? []), ...(tag ? [tag] : [])])];
      return [...records.filter((r) => r !== existing), { ...image, tags }];
    });
  }

  /** Removes the tag, and the image with it when that was its last one. */
  untag(tag: string): void {
    this.update((records) => records.flatMap((r) => {
      if (!r.tags.includes(tag)) return [r];
      const tags = r.tags.filter((t) => t !== tag);
      return tags.length ? [{ ...r, tags }] : [];
    }));
  }

  delete(repoDigests: readonly string[]): void {
    this.update((records) => records.filter((r) => !repoDigests.includes(r.repoDigest)));
  }

  private update(change: (records: ImageRecord[]) => ImageRecord[]): void {
    const records = change(this.stamp() ? this.read() : []);
    const tmp = this.tempPath();
    writeFileSync(tmp, `${JSON.stringify({ images: records }, null, 1)}\n`);
    renameSync(tmp, this.file);
    this.cache = { stamp: this.stamp(), records };
  }

  private read(): ImageRecord[] {
    return (JSON.parse(readFileSync(this.file, 'utf8')) as { images: ImageRecord[] }).images;
  }

  /** Changes whenever the file is replaced: its inode is new. */
  private stamp(): string {
    try {
      const st = statSync(this.file);
      return `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw e;
    }
  }
}
