// The one error type image operations throw, with a reason the agent can map to a pod's waiting
// reason (ErrImagePull, InvalidImageName) and a message fit for an event.

export type ImagePullReason = 'NotFound' | 'Unauthorized' | 'Network' | 'Invalid';

export class ImagePullError extends Error {
  override readonly name: string = 'ImagePullError';

  constructor(readonly reason: ImagePullReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A reference that does not parse: the pod's `image` is wrong, not the registry (InvalidImageName). */
export class InvalidReferenceError extends ImagePullError {
  override readonly name = 'InvalidReferenceError';

  constructor(message: string) {
    super('Invalid', message);
  }
}
