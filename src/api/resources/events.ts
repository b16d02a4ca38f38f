// core/v1 Events: what `kubectl describe` lists under "Events:" (by involvedObject field selectors).
import type { Event } from 'kubernetes-types/core/v1.js';
import { invalid, required, type FieldError } from '../errors.js';
import { defineStrategy, type Obj } from '../strategykit.js';
import { age, column } from '../table.js';

type EventObj = Obj<Event>;

function validateEvent(ev: EventObj): FieldError[] {
  const errs: FieldError[] = [];
  if (!ev.involvedObject || typeof ev.involvedObject !== 'object') errs.push(required('involvedObject'));
  else if (ev.involvedObject.namespace && ev.involvedObject.namespace !== ev.metadata?.namespace) {
    errs.push(invalid('involvedObject.namespace', ev.involvedObject.namespace, 'does not match event.namespace'));
  }
  if (ev.type && !['Normal', 'Warning'].includes(ev.type)) errs.push(invalid('type', ev.type, 'has invalid value'));
  return errs;
}

const lastSeen = (ev: Event): string | undefined => ev.series?.lastObservedTime ?? ev.lastTimestamp ?? ev.eventTime ?? ev.metadata?.creationTimestamp;

const involved = (ev: EventObj) => ev.involvedObject ?? {};

export const eventStrategy = defineStrategy<EventObj>({
  resource: { group: '', version: 'v1', kind: 'Event', plural: 'events', shortNames: ['ev'] },
  validate: validateEvent,
  selectableFields(ev) {
    const io = involved(ev);
    return {
      'involvedObject.kind': io.kind ?? '', 'involvedObject.namespace': io.namespace ?? '', 'involvedObject.name': io.name ?? '',
      'involvedObject.uid': io.uid ?? '', 'involvedObject.apiVersion': io.apiVersion ?? '', 'involvedObject.resourceVersion': io.resourceVersion ?? '',
      'involvedObject.fieldPath': io.fieldPath ?? '', reason: ev.reason ?? '', reportingComponent: ev.reportingComponent ?? '',
      source: ev.source?.component ?? '', type: ev.type ?? '',
    };
  },
  columns: [
    column('Last Seen', 'string', 'When the event was last observed.', (ev, now) => age(lastSeen(ev), now)),
    column('Type', 'string', 'Normal or Warning.', (ev) => ev.type ?? ''),
    column('Reason', 'string', 'A short machine-readable reason for the event.', (ev) => ev.reason ?? ''),
    column('Object', 'string', 'The object the event is about.', (ev) => `${(involved(ev).kind ?? '').toLowerCase()}/${involved(ev).name ?? ''}`),
    column('Subobject', 'string', 'The part of the object the event is about, such as a container.', (ev) => involved(ev).fieldPath ?? '', { wide: true }),
    column('Source', 'string', 'The component that reported the event.',
      (ev) => [ev.source?.component ?? ev.reportingComponent, ev.source?.host].filter(Boolean).join(', '), { wide: true }),
    column('Message', 'string', 'What happened, for people.', (ev) => ev.message ?? ''),
    column('First Seen', 'string', 'When the event was first observed.',
      (ev, now) => age(ev.firstTimestamp ?? ev.eventTime ?? ev.metadata?.creationTimestamp, now), { wide: true }),
    column('Count', 'string', 'How many times the event was observed.', (ev) => String(ev.count ?? 1), { wide: true }),
    column('Name', 'string', 'The name of the event object.', (ev) => ev.metadata?.name, { wide: true, format: 'name' }),
  ],
});
