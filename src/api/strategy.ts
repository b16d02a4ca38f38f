// A resource's strategy: everything that differs between resources, so one generic registry and
// one REST handler serve them all (as upstream's generic registry + per-resource strategy).
// Resources build theirs with defineStrategy (strategykit.ts), stating only what differs.
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { FieldError } from './errors.js';
import type { ResourceInfo } from './resource.js';

/** kubernetes-types declares every field readonly; the server builds and edits objects in place. */
export type Mutable<T> = T extends readonly (infer U)[]
  ? Mutable<U>[]
  : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: Mutable<ObjectMeta>;
  [field: string]: unknown;
}

/** What a graceful delete does to an object instead of removing it at once. */
export interface GracefulDeletion {
  /** Seconds until the deletion is due; 0 removes the object at once. */
  gracePeriodSeconds: number;
}

export interface TableConvertor {
  columns: TableColumnDefinition[];
  cells(obj: KubeObject, now: number): unknown[];
}

export interface Strategy {
  resource: ResourceInfo;
  /** Whether PUT without metadata.resourceVersion is allowed (upstream AllowUnconditionalUpdate). */
  allowUnconditionalUpdate: boolean;
  /** Name rule for metadata.name. */
  nameRule: 'subdomain' | 'label' | 'path-segment';
  /** Called on create: reset fields clients may not set (usually status) and fill defaults. */
  prepareForCreate(obj: KubeObject): void;
  validate(obj: KubeObject): FieldError[];
  /** Called on a main-resource update: keep what that update may not change (usually status). */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
  validateUpdate(obj: KubeObject, old: KubeObject): FieldError[];
  /** Updates through a subresource (status, finalize, binding): what each keeps from the old object, and its checks. */
  subresourceUpdates?: Record<string, SubresourceUpdate>;
  /** Fields a fieldSelector may use, with their values for one object (metadata.name/namespace are added by the registry). */
  selectableFields?(obj: KubeObject): Record<string, string>;
  /** Decides a graceful delete (pods); undefined means delete at once. */
  gracefulDeletion?(obj: KubeObject, requestedSeconds: number | undefined): GracefulDeletion | undefined;
  /** Finalizers kept outside metadata.finalizers (namespaces' spec.finalizers): true while any remain. */
  pendingFinalizers?(obj: KubeObject): boolean;
  /** Called when deletion starts but the object stays (grace period or finalizers), e.g. to mark it Terminating. */
  prepareForDeletion?(obj: KubeObject): void;
  /**
   * What a delete without propagationPolicy does to dependents (upstream DefaultGarbageCollectionPolicy):
   * 'DeleteDependents' (the default) lets the garbage collector delete them in the background,
   * 'OrphanDependents' keeps them (batch/v1 Jobs, for compatibility).
   */
  garbageCollectionPolicy?: 'DeleteDependents' | 'OrphanDependents';
  /** The `scale` subresource (autoscaling/v1 Scale), for kinds with spec.replicas. */
  scale?: ScaleAccessor;
  table: TableConvertor;
  /** A review resource (SelfSubjectAccessReview, …): a create is answered with this object and never stored. */
  review?(obj: KubeObject, user: { name: string; groups: string[] }): KubeObject;
  /**
   * Allocations shared by every object of the resource (a Service's cluster IP and node ports), as
   * upstream's BeginCreate / BeginUpdate hooks: one Allocator per registry, made from the server's
   * configuration.
   */
  allocator?(config: AllocationConfig): Allocator;
}

/** Server-wide ranges that allocators hand out from. */
export interface AllocationConfig {
  /** The Service cluster IP range (`--service-cidr`), e.g. 10.43.0.0/16. */
  serviceCidr: string;
  /** Node ports, inclusive (`--service-node-port-range`), e.g. [30000, 32767]. */
  nodePortRange: [number, number];
}

/**
 * Runs after validation, before the write: fills in and reserves what `obj` gets from shared
 * ranges, looking at `stored` (the registry's current objects) for what is taken. Throws an
 * ApiError (Invalid) when a request cannot be met. Returns a function that gives the reservation
 * back if the write then fails.
 */
export interface Allocator {
  allocate(obj: KubeObject, old: KubeObject | undefined, stored: () => KubeObject[], dryRun: boolean): (() => void) | void;
}

/** How the scale subresource reads and writes an object's replica count. */
export interface ScaleAccessor {
  /** spec.replicas, status.replicas and the selector in its string form (`app=web`). */
  read(obj: KubeObject): { specReplicas: number; statusReplicas: number; selector: string };
  /** Sets spec.replicas; the update then goes through the resource's own update rules. */
  write(obj: KubeObject, replicas: number): void;
}

export interface SubresourceUpdate {
  prepare(obj: KubeObject, old: KubeObject): void;
  validate?(obj: KubeObject, old: KubeObject): FieldError[];
}

export const noFieldErrors = (): FieldError[] => [];

/** The verbs of a resource stored in the registry with every operation (upstream's full REST storage). */
export const STORED_VERBS: readonly string[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
