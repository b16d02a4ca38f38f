// The controllers the control plane runs beside the API server. Adding a controller is adding its
// factory here; each is an informer + work queue + level-triggered reconcile, API client only.
import type { RestClient } from '../client/rest.js';
import { NamespaceController } from './namespace.js';

export interface Controller {
  start(): Promise<void>;
  stop(): void;
}

export const builtinControllers: ((client: RestClient) => Controller)[] = [
  (client) => new NamespaceController(client),
];
