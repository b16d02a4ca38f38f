// Errors shared by every patch flavour, so the REST layer can map them to API statuses without
// knowing which algorithm failed.

/** The patch is malformed, or cannot be applied to the object it targets. */
export class PatchError extends Error {
  override name = 'PatchError';
}

/** The patch type is a real Kubernetes one that this server does not implement (server-side apply). */
export class UnsupportedPatchError extends Error {
  override name = 'UnsupportedPatchError';
}
