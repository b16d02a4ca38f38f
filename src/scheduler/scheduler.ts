// The scheduler, an API client like any other: informers on nodes and pods keep the cache, a work
// queue carries the pods waiting for a node, each decision is made synchronously against the cache,
// and its write (binding or PodScheduled=False) goes out asynchronously with a bounded number in flight.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/strategy.js';
import { EventRecorder } from '../client/events.js';
import { ReconcileLoop } from '../client/controller.js';
import type { Informer, InformerHandler } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { R } from '../client/typed.js';
import { SchedulerCache } from './cache.js';
import { Limiter } from './limiter.js';
import { truncateForEvent } from './message.js';
import { findPlacement } from './placement.js';
import { podInfo, podKey } from './podinfo.js';
import { bindPod, podScheduledFalse, writePodCondition } from './podwrites.js';
import { UnschedulablePods } from './unschedulablepods.js';
import { metaTime } from '../api/time.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
/** Bindings and status writes in flight at once; a decision waits for a slot, so work never piles up. */
const MAX_WRITES_IN_FLIGHT = 32;

export interface SchedulerOptions {
  /** The spec.schedulerName this scheduler serves, and the component its events come from. */
  name?: string;
}

type PodObject = Pod & KubeObject;
type NodeObject = Node & KubeObject;

const isTerminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
/** Listed pods may lack apiVersion and kind, which an event's involvedObject needs. */
const asInvolvedObject = (pod: PodObject): KubeObject => ({ ...pod, apiVersion: 'v1', kind: 'Pod' });

export class Scheduler extends ReconcileLoop {
  private readonly name: string;
  private readonly cache = new SchedulerCache();
  private readonly unschedulable = new UnschedulablePods((key) => this.queue.add(key));
  private readonly writes = new Limiter(MAX_WRITES_IN_FLIGHT);
  private readonly events: EventRecorder;
  private readonly pods: Informer<PodObject>;
  /** Where the next search through the nodes begins, so successive pods spread over all of them. */
  private nextStart = 0;

  constructor(client: RestClient, opts: SchedulerOptions = {}) {
    super(client);
    this.name = opts.name ?? DEFAULT_SCHEDULER_NAME;
    this.events = new EventRecorder(client, this.name);
    // Nodes first (the loop starts its informers in order), so the pods listed next are counted on nodes that are already known.
    this.inform<NodeObject>(R.nodes, this.onNode);
    this.pods = this.inform<PodObject>(R.pods, this.onPod);
  }

  /** Resolves once nodes and pods are listed and scheduling has begun (ReconcileLoop.start). */
  override stop(): void {
    super.stop();
    this.unschedulable.stop();
  }

  protected override reconcile(key: string): Promise<void> {
    return this.scheduleOne(key);
  }

  private readonly onNode: InformerHandler<NodeObject> = (type, node) => {
    if (type === 'DELETED') this.cache.removeNode(node.metadata.name!);
    else if (this.cache.setNode(node)) this.unschedulable.retryAllSoon();
  };

  private readonly onPod: InformerHandler<PodObject> = (type, pod) => {
    const key = podKey(pod);
    const nodeName = pod.spec?.nodeName;
    if (type === 'DELETED' || (nodeName && isTerminal(pod))) {
      this.unschedulable.remove(key);
      if (this.cache.removePod(key)) this.unschedulable.retryAllSoon();
    } else if (nodeName) {
      this.unschedulable.remove(key);
      this.cache.setBoundPod(key, nodeName, () => podInfo(pod));
    } else if (!this.responsibleFor(pod)) {
      this.unschedulable.remove(key);
    } else if (!this.unschedulable.has(key) || this.unschedulable.specChanged(key, pod.spec)) {
      // An unschedulable pod's own updates (such as our status write) do not make it fit; a spec change may.
      this.queue.add(key);
    }
  };

  private responsibleFor(pod: Pod): boolean {
    return !pod.metadata?.deletionTimestamp && !isTerminal(pod) && (pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME) === this.name;
  }

  private async scheduleOne(key: string): Promise<void> {
    await this.writes.acquire();
    let write: Promise<void> | undefined;
    try {
      write = this.decide(key);
    } finally {
      if (write) void write.finally(() => this.writes.release());
      else this.writes.release();
    }
  }

  /** Places pod `key` (read after waiting for a write slot: it may have changed meanwhile); returns the write that records the outcome. */
  private decide(key: string): Promise<void> | undefined {
    const pod = this.pods.items.get(key);
    if (!pod || pod.spec?.nodeName || !this.responsibleFor(pod) || this.cache.isAssumed(key)) return undefined;
    // Scheduling gates hold the pod back; removing them changes the spec, which queues it again.
    if (pod.spec?.schedulingGates?.length) return undefined;
    const info = podInfo(pod);
    const nodes = this.cache.nodes;
    const placement = findPlacement(info, nodes, this.nextStart);
    if ('message' in placement) {
      this.unschedulable.add(key, pod.spec);
      return this.reportFailure(pod, 'Unschedulable', placement.message);
    }
    this.nextStart = (this.nextStart + placement.evaluated) % nodes.length;
    this.cache.assume(info, placement.node.name);
    this.unschedulable.remove(key);
    return this.bind(pod, placement.node.name);
  }

  private async bind(pod: PodObject, nodeName: string): Promise<void> {
    const key = podKey(pod);
    try {
      await bindPod(this.client, pod, nodeName);
      this.events.record(asInvolvedObject(pod), 'Normal', 'Scheduled', `Successfully assigned ${key} to ${nodeName}`);
    } catch (e) {
      this.cache.forget(key);
      // Gone, being deleted or already bound: the informer will show it, there is nothing to retry.
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return;
      this.unschedulable.add(key, pod.spec);
      await this.reportFailure(pod, 'SchedulerError', `running Bind plugin "DefaultBinder": ${(e as Error).message}`);
    }
  }

  /** A FailedScheduling event every time (the recorder counts repeats) and the condition when it changes. */
  private async reportFailure(pod: PodObject, reason: string, message: string): Promise<void> {
    this.events.record(asInvolvedObject(pod), 'Warning', 'FailedScheduling', truncateForEvent(message));
    const condition = podScheduledFalse(pod, reason, message, metaTime());
    // Best effort: the pod's next attempt writes it again.
    if (condition) await writePodCondition(this.client, pod, condition).catch(() => {});
  }
}
