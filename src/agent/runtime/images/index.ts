// The image store's public face: what the agent and the CLI import.
export { ImageStore, type StoredImage, type ImageStoreOptions, type PullProgress } from './image-store.js';
export type { ImageConfig } from './image-config.js';
export { ImagePullError, InvalidReferenceError, type ImagePullReason } from './errors.js';
export { ImageReference } from './reference.js';
