// core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlices: what the endpoints controllers write
// for each Service (src/controllers/endpoints.ts) and the node agent's proxy reads. Validation as
// upstream's ValidateEndpoints / ValidateEndpointSlice (the parts that matter), tables as kubectl
// prints them (ENDPOINTS with at most 3 addresses and "+ N more...").
import type { EndpointPort, Endpoints, EndpointSubset } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { forbiddenField, invalid, notSupported, required, type FieldError } from '../errors.js';
import type { Mutable } from '../strategy.js';
import { defineStrategy, type Obj } from '../strategykit.js';
import { ageColumn, column, nameColumn } from '../table.js';
import { isDNS1123Label } from '../validation.js';
import { parseIPv4 } from '../ipv4.js';

type EndpointsObj = Obj<Endpoints>;
type SliceObj = Obj<EndpointSlice>;
const arr = <T>(v: T[] | undefined | null): T[] => (Array.isArray(v) ? v : []);
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_SHOWN = 3;

function validatePort(p: Mutable<EndpointPort>, path: string, nameRequired: boolean, errs: FieldError[]): void {
  if (p.name) for (const msg of isDNS1123Label(p.name)) errs.push(invalid(`${path}.name`, p.name, msg));
  else if (nameRequired) errs.push(required(`${path}.name`));
  if (p.port !== undefined && p.port !== null && (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535)) errs.push(invalid(`${path}.port`, p.port, 'must be between 1 and 65535, inclusive'));
  if (p.protocol && !PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${path}.protocol`, p.protocol, PROTOCOLS));
}

function validateEndpoints(ep: EndpointsObj): FieldError[] {
  const errs: FieldError[] = [];
  arr(ep.subsets).forEach((s: Mutable<EndpointSubset>, i) => {
    const path = `subsets[${i}]`;
    if (!arr(s.addresses).length && !arr(s.notReadyAddresses).length) errs.push(required(path, 'must specify `addresses` or `notReadyAddresses`'));
    for (const [field, list] of [['addresses', s.addresses], ['notReadyAddresses', s.notReadyAddresses]] as const) {
      arr(list).forEach((a, j) => {
        if (!a?.ip) errs.push(required(`${path}.${field}[${j}].ip`));
        else if (parseIPv4(a.ip) === undefined) errs.push(invalid(`${path}.${field}[${j}].ip`, a.ip, 'must be a valid IP address'));
      });
    }
    const ports = arr(s.ports);
    ports.forEach((p, j) => {
      validatePort(p, `${path}.ports[${j}]`, ports.length > 1, errs);
      if (!p.port) errs.push(required(`${path}.ports[${j}].port`));
      if (!p.protocol) errs.push(required(`${path}.ports[${j}].protocol`));
    });
  });
  return errs;
}

function validateSlice(slice: SliceObj): FieldError[] {
  const errs: FieldError[] = [];
  if (!slice.addressType) errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(slice.addressType)) errs.push(notSupported('addressType', slice.addressType, ADDRESS_TYPES));
  arr(slice.endpoints).forEach((e, i) => {
    const path = `endpoints[${i}]`;
    const addrs = arr(e?.addresses);
    if (!addrs.length) errs.push(required(`${path}.addresses`, 'must contain at least 1 address'));
    if (addrs.length > 100) errs.push({ type: 'TooMany', field: `${path}.addresses`, detail: 'must have at most 100 items' });
    addrs.forEach((a, j) => {
      if (slice.addressType === 'IPv4' && parseIPv4(a) === undefined) errs.push(invalid(`${path}.addresses[${j}]`, a, 'must be a valid IPv4 address'));
    });
  });
  if (arr(slice.endpoints).length > 1000) errs.push({ type: 'TooMany', field: 'endpoints', detail: 'must have at most 1000 items' });
  arr(slice.ports).forEach((p, j) => validatePort(p as Mutable<EndpointPort>, `ports[${j}]`, false, errs));
  return errs;
}

/** upstream's formatEndpoints: `ip:port` pairs, the first three, then `+ N more...`. */
export function endpointsText(subsets: readonly EndpointSubset[] | undefined): string {
  const all: string[] = [];
  for (const s of arr(subsets as EndpointSubset[])) {
    const ports = arr(s.ports);
    for (const a of arr(s.addresses)) {
      if (!ports.length) all.push(a.ip);
      else for (const p of ports) all.push(`${a.ip}:${p.port}`);
    }
  }
  if (!all.length) return '<none>';
  const shown = all.slice(0, MAX_SHOWN).join(',');
  return all.length > MAX_SHOWN ? `${shown} + ${all.length - MAX_SHOWN} more...` : shown;
}

function sliceEndpointsText(slice: EndpointSlice): string {
  const all = arr(slice.endpoints as EndpointSlice['endpoints'][number][]).flatMap((e) => arr(e.addresses as string[]));
  if (!all.length) return '<unset>';
  const shown = all.slice(0, MAX_SHOWN).join(',');
  return all.length > MAX_SHOWN ? `${shown} + ${all.length - MAX_SHOWN} more...` : shown;
}

function slicePortsText(slice: EndpointSlice): string {
  const ports = arr(slice.ports as NonNullable<EndpointSlice['ports']>[number][]);
  if (!ports.length) return '<unset>';
  const shown = ports.slice(0, MAX_SHOWN).map((p) => String(p.port ?? '')).join(',');
  return ports.length > MAX_SHOWN ? `${shown} + ${ports.length - MAX_SHOWN} more...` : shown;
}

export const endpointsStrategy = defineStrategy<EndpointsObj>({
  resource: { group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints', shortNames: ['ep'] },
  validate: validateEndpoints,
  columns: [nameColumn, column('Endpoints', 'string', 'The addresses (ip:port) of the ready endpoints.', (ep) => endpointsText(ep.subsets)), ageColumn],
});

export const endpointSliceStrategy = defineStrategy<SliceObj>({
  resource: { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices' },
  validate: validateSlice,
  validateUpdate(slice, old) {
    const errs = validateSlice(slice);
    if (old.addressType && slice.addressType !== old.addressType) errs.push(forbiddenField('addressType', 'field is immutable'));
    return errs;
  },
  columns: [
    nameColumn,
    column('AddressType', 'string', 'The type of address the endpoints carry: IPv4, IPv6 or FQDN.', (slice) => slice.addressType ?? ''),
    column('Ports', 'string', 'The ports of the endpoints.', (slice) => slicePortsText(slice as EndpointSlice)),
    column('Endpoints', 'string', 'The addresses of the endpoints.', (slice) => sliceEndpointsText(slice as EndpointSlice)),
    ageColumn,
  ],
});
