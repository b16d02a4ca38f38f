// Review resources: a create is a question, answered in the returned object's status and never
// stored (upstream's SelfSubjectAccessReview, SelfSubjectRulesReview and SelfSubjectReview REST
// storage). tinykube has no RBAC: every authenticated user may do everything, as with the API
// server's AlwaysAllow authorizer, so `kubectl auth can-i` says yes and `auth whoami` shows the
// user the request authenticated as.
import { invalid, type FieldError } from '../errors.js';
import type { KubeObject, Strategy } from '../strategy.js';
import { noFieldErrors } from '../strategy.js';
import { defineStrategy } from '../strategykit.js';
import { nameColumn } from '../table.js';

type Spec = { resourceAttributes?: unknown; nonResourceAttributes?: unknown };

function review(group: string, version: string, kind: string, plural: string, validate: Strategy['validate'], answer: NonNullable<Strategy['review']>): Strategy {
  return defineStrategy({
    resource: { group, version, kind, plural, namespaced: false, verbs: ['create'] },
    allowUnconditionalUpdate: false,
    validate,
    validateUpdate: noFieldErrors,
    review: answer,
    columns: [nameColumn],
  });
}

/** Exactly one of resourceAttributes and nonResourceAttributes, as upstream's ValidateSelfSubjectAccessReviewSpec. */
export function validateAccessReview(obj: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Spec;
  const both = spec.resourceAttributes !== undefined && spec.nonResourceAttributes !== undefined;
  const none = spec.resourceAttributes === undefined && spec.nonResourceAttributes === undefined;
  if (both) return [invalid('spec.resourceAttributes', spec.resourceAttributes, 'cannot be specified in combination with nonResourceAttributes')];
  if (none) return [invalid('spec.resourceAttributes', spec.resourceAttributes ?? null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  return [];
}

const answered = (obj: KubeObject, status: object): KubeObject => ({ ...obj, metadata: { ...obj.metadata, creationTimestamp: null as unknown as undefined }, status });

export const selfSubjectAccessReviewStrategy = review('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', validateAccessReview,
  (obj) => answered(obj, { allowed: true, reason: 'tinykube authorizes every authenticated user' }));

export const selfSubjectRulesReviewStrategy = review('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', noFieldErrors,
  (obj) => answered(obj, {
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  }));

export const selfSubjectReviewStrategy = review('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', noFieldErrors,
  (obj, user) => answered(obj, { userInfo: { username: user.name, groups: [...user.groups, 'system:authenticated'] } }));
