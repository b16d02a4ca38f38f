// The image store's public face: what the agent and the CLI import.
export { ImageStore, type StoredImage, type ImageStoreOptions, type PullProgress } from './imagestore.js';
export type { ImageConfig } from './imageconfig.js';
export { ImagePullError, InvalidReferenceError, type ImagePullReason } from './errors.js';
export { ImageReference } from './reference.js';
