// core/v1 Events: what `kubectl describe` lists under "Events:" (by involvedObject field selectors).
import type { Event } from 'kubernetes-types/core/v1.js';
import { invalid, required, type FieldError } from '../errors.js';
import type { KubeObject, Mutable, Strategy } from '../strategy.js';
import { age, columns } from '../table.js';
import { STORED_VERBS } from '../strategy.js';

const asEvent = (o: KubeObject): Mutable<Event> => o as unknown as Mutable<Event>;

function validateEvent(obj: KubeObject): FieldError[] {
  const ev = asEvent(obj);
  const errs: FieldError[] = [];
  if (!ev.involvedObject || typeof ev.involvedObject !== 'object') errs.push(required('involvedObject'));
  else if (ev.involvedObject.namespace && ev.involvedObject.namespace !== ev.metadata?.namespace) {
    errs.push(invalid('involvedObject.namespace', ev.involvedObject.namespace, 'does not match event.namespace'));
  }
  if (ev.type && !['Normal', 'Warning'].includes(ev.type)) errs.push(invalid('type', ev.type, 'has invalid value'));
  return errs;
}

const lastSeen = (ev: Event): string | undefined => ev.series?.lastObservedTime ?? ev.lastTimestamp ?? ev.eventTime ?? ev.metadata?.creationTimestamp;

export const eventStrategy: Strategy = {
  resource: {
    group: '', version: 'v1', kind: 'Event', listKind: 'EventList', plural: 'events', singular: 'event', namespaced: true,
    verbs: [...STORED_VERBS], shortNames: ['ev'],
  },
  allowUnconditionalUpdate: true,
  nameRule: 'subdomain',
  prepareForCreate() {},
  validate: validateEvent,
  prepareForUpdate() {},
  validateUpdate: validateEvent,
  selectableFields(obj) {
    const ev = asEvent(obj);
    const io = ev.involvedObject ?? {};
    return {
      'involvedObject.kind': io.kind ?? '', 'involvedObject.namespace': io.namespace ?? '', 'involvedObject.name': io.name ?? '',
      'involvedObject.uid': io.uid ?? '', 'involvedObject.apiVersion': io.apiVersion ?? '', 'involvedObject.resourceVersion': io.resourceVersion ?? '',
      'involvedObject.fieldPath': io.fieldPath ?? '', reason: ev.reason ?? '', reportingComponent: ev.reportingComponent ?? '',
      source: ev.source?.component ?? '', type: ev.type ?? '',
    };
  },
  table: {
    columns: columns([
      ['Last Seen', 'string', 'When the event was last observed.'],
      ['Type', 'string', 'Normal or Warning.'],
      ['Reason', 'string', 'A short machine-readable reason for the event.'],
      ['Object', 'string', 'The object the event is about.'],
      ['Subobject', 'string', 'The part of the object the event is about, such as a container.', true],
      ['Source', 'string', 'The component that reported the event.', true],
      ['Message', 'string', 'What happened, for people.'],
      ['First Seen', 'string', 'When the event was first observed.', true],
      ['Count', 'string', 'How many times the event was observed.', true],
      ['Name', 'string', 'The name of the event object.', true, 'name'],
    ]),
    cells(obj, now) {
      const ev = asEvent(obj);
      const io = ev.involvedObject ?? {};
      const source = [ev.source?.component ?? ev.reportingComponent, ev.source?.host].filter(Boolean).join(', ');
      return [
        age(lastSeen(ev), now), ev.type ?? '', ev.reason ?? '', `${(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`, io.fieldPath ?? '',
        source, ev.message ?? '', age(ev.firstTimestamp ?? ev.eventTime ?? ev.metadata?.creationTimestamp, now), String(ev.count ?? 1), ev.metadata?.name,
      ];
    },
  },
};
