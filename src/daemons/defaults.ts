// The network and naming defaults every daemon shares (as k3s: a 10.42/16 pod network, 10.43/16
// Services, one /24 per node, the cluster.local domain).
export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
export const DEFAULT_NODE_CIDR = '10.42.0.0/24';
export const DEFAULT_BRIDGE = 'tk0';
export const DEFAULT_SERVICE_CIDR = '10.43.0.0/16';
export const CLUSTER_DOMAIN = 'cluster.local';
/** How long Events live (upstream's `--event-ttl` default: one hour). */
export const DEFAULT_EVENT_TTL_SECONDS = 3600;
