// Patch and list metadata for the fields that upstream tags (facts of the API, kept as data):
// x-kubernetes-patch-strategy / -patch-merge-key drive strategic merge patch (server side here,
// client side in `kubectl apply`), x-kubernetes-list-type / -list-map-keys / -map-type describe
// list and struct topology. Covers core/v1, apps/v1, batch/v1 and meta/v1 as of Kubernetes 1.30.
// Applied to the generated definitions by ./index.ts.

/** One field's metadata; the '' entry of a type holds metadata of the type itself (mapType). */
export interface FieldPatchMeta {
  strategy?: 'merge' | 'retainKeys' | 'merge,retainKeys';
  mergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  mapKeys?: string[];
  mapType?: 'atomic' | 'granular';
}

const CORE = 'io.k8s.api.core.v1';
const APPS = 'io.k8s.api.apps.v1';
const BATCH = 'io.k8s.api.batch.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** definition name -> field name -> metadata. */
export const patchMeta: Readonly<Record<string, Readonly<Record<string, FieldPatchMeta>>>> = {
  // core/v1
  [`${CORE}.Capabilities`]: {
    add: { listType: 'atomic' },
    drop: { listType: 'atomic' },
  },
  [`${CORE}.CephFSPersistentVolumeSource`]: {
    monitors: { listType: 'atomic' },
  },
  [`${CORE}.CephFSVolumeSource`]: {
    monitors: { listType: 'atomic' },
  },
  [`${CORE}.ComponentStatus`]: {
    conditions: { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
  },
  [`${CORE}.ConfigMapEnvSource`]: {
    '': { mapType: 'atomic' },
  },
  [`${CORE}.ConfigMapKeySelector`]: {
    '': { mapType: 'atomic' },
  },
  [`${CORE}.ConfigMapProjection`]: {
    '': { mapType: 'atomic' },
    items: { listType: 'atomic' },
  },
  [`${CORE}.ConfigMapVolumeSource`]: {
    '': { mapType: 'atomic' },
    items: { listType: 'atomic' },
  },
  [`${CORE}.Container`]: {
    args: { listType: 'atomic' },
    command: { listType: 'atomic' },
    env: { strategy: 'merge', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
    envFrom: { listType: 'atomic' },
    ports: { strategy: 'merge', mergeKey: 'containerPort', listType: 'map', mapKeys: ['containerPort', 'protocol'] },
    resizePolicy: { listType: 'atomic' },
    volumeDevices: { strategy: 'merge', mergeKey: 'devicePath', listType: 'map', mapKeys: ['devicePath'] },
    volumeMounts: { strategy: 'merge', mergeKey: 'mountPath', listType: 'map', mapKeys: ['mountPath'] },
  },
  [`${CORE}.ContainerImage`]: {
    names: { listType: 'atomic' },
  },
  [`${CORE}.ContainerStatus`]: {
    volumeMounts: { strategy: 'merge', mergeKey: 'mountPath', listType: 'map', mapKeys: ['mountPath'] },
  },
  [`${CORE}.DownwardAPIProjection`]: {
    items: { listType: 'atomic' },
  },
  [`${CORE}.DownwardAPIVolumeSource`]: {
    items: { listType: 'atomic' },
  },
  [`${CORE}.EndpointAddress`]: {
    '': { mapType: 'atomic' },
  },
  [`${CORE}.EndpointPort`]: {
    '': { mapType: 'atomic' },
  },
  [`${CORE}.EndpointSubset`]: {
    addresses: { listType: 'atomic' },
    notReadyAddresses: { listType: 'atomic' },
    ports: { listType: 'atomic' },
  },
  [`${CORE}.Endpoints`]: {
    subsets: { listType: 'atomic' },
  },
  [`${CORE}.EphemeralContainer`]: {
    args: { listType: 'atomic' },
    command: { listType: 'atomic' },
    env: { strategy: 'merge', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
    envFrom: { listType: 'atomic' },
    ports: { strategy: 'merge', mergeKey: 'containerPort', listType: 'map', mapKeys: ['containerPort', 'protocol'] },
    resizePolicy: { listType: 'atomic' },
    volumeDevices: { strategy: 'merge', mergeKey: 'devicePath', listType: 'map', mapKeys: ['devicePath'] },
    volumeMounts: { strategy: 'merge', mergeKey: 'mountPath', listType: 'map', mapKeys: ['mountPath'] },
  },
  [`${CORE}.ExecAction`]: {
    command: { listType: 'atomic' },
  },
  [`${CORE}.FCVolumeSource`]: {
    targetWWNs: { listType: 'atomic' },
    wwids: { listType: 'atomic' },
  },
  [`${CORE}.HTTPGetAction`]: {
    httpHeaders: { listType: 'atomic' },
  },
  [`${CORE}.HostAlias`]: {
    hostnames: { listType: 'atomic' },
  },
  [`${CORE}.ISCSIPersistentVolumeSource`]: {
    portals: { listType: 'atomic' },
  },
  [`${CORE}.ISCSIVolumeSource`]: {
    portals: { listType: 'atomic' },
  },
  [`${CORE}.LimitRangeSpec`]: {
    limits: { listType: 'atomic' },
  },
  [`${CORE}.LoadBalancerIngress`]: {
    ports: { listType: 'atomic' },
  },
  [`${CORE}.LoadBalancerStatus`]: {
    ingress: { listType: 'atomic' },
  },
  [`${CORE}.LocalObjectReference`]: {
    '': { mapType: 'atomic' },
  },
  [`${CORE}.NamespaceSpec`]: {
    finalizers: { listType: 'atomic' },
  },
  [`${CORE}.NamespaceStatus`]: {
    conditions: { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
  },
  [`${CORE}.NodeAffinity`]: {
    preferredDuringSchedulingIgnoredDuringExecution: { listType: 'atomic' },
  },
  [`${CORE}.NodeSelector`]: {
    '': { mapType: 'atomic' },
    nodeSelectorTerms: { listType: 'atomic' },
  },
  [`${CORE}.NodeSelectorRequirement`]: {
    values: { listType: 'atomic' },
  },
  [`${CORE}.NodeSelectorTerm`]: {
    '': { mapType: 'atomic' },
    matchExpressions: { listType: 'atomic' },
    matchFields: { listType: 'atomic' },
  },
  [`${CORE}.NodeSpec`]: {
    podCIDRs: { strategy: 'merge', listType: 'set' },
    taints: { listType: 'atomic' },
  },
  [`${CORE}.NodeStatus`]: {
    addresses: { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
    conditions: { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
    images: { listType: 'atomic' },
    runtimeHandlers: { listType: 'atomic' },
    volumesAttached: { listType: 'atomic' },
    volumesInUse: { listType: 'atomic' },
  },
  [`${CORE}.ObjectFieldSelector`]: {
    '': { mapType: 'atomic' },
  },
  [`${CORE}.ObjectReference`]: {
    '': { mapType: 'atomic' },
  },
  [`${CORE}.PersistentVolumeClaimSpec`]: {
    accessModes: { listType: 'atomic' },
  },
  [`${CORE}.PersistentVolumeClaimStatus`]: {
    accessModes: { listType: 'atomic' },
    allocatedResourceStatuses: { mapType: 'granular' },
    conditions: { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
  },
  [`${CORE}.PersistentVolumeSpec`]: {
    accessModes: { listType: 'atomic' },
    claimRef: { mapType: 'granular' },
    mountOptions: { listType: 'atomic' },
  },
  [`${CORE}.PodAffinity`]: {
    preferredDuringSchedulingIgnoredDuringExecution: { listType: 'atomic' },
    requiredDuringSchedulingIgnoredDuringExecution: { listType: 'atomic' },
  },
  [`${CORE}.PodAffinityTerm`]: {
    matchLabelKeys: { listType: 'atomic' },
    mismatchLabelKeys: { listType: 'atomic' },
    namespaces: { listType: 'atomic' },
  },
  [`${CORE}.PodAntiAffinity`]: {
    preferredDuringSchedulingIgnoredDuringExecution: { listType: 'atomic' },
    requiredDuringSchedulingIgnoredDuringExecution: { listType: 'atomic' },
  },
  [`${CORE}.PodDNSConfig`]: {
    nameservers: { listType: 'atomic' },
    options: { listType: 'atomic' },
    searches: { listType: 'atomic' },
  },
  [`${CORE}.PodSecurityContext`]: {
    supplementalGroups: { listType: 'atomic' },
    sysctls: { listType: 'atomic' },
  },
  [`${CORE}.PodSpec`]: {
    containers: { strategy: 'merge', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
    ephemeralContainers: { strategy: 'merge', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
    hostAliases: { strategy: 'merge', mergeKey: 'ip', listType: 'map', mapKeys: ['ip'] },
    imagePullSecrets: { strategy: 'merge', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
    initContainers: { strategy: 'merge', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
    nodeSelector: { mapType: 'atomic' },
    readinessGates: { listType: 'atomic' },
    resourceClaims: { strategy: 'merge,retainKeys', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
    schedulingGates: { strategy: 'merge', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
    tolerations: { listType: 'atomic' },
    topologySpreadConstraints: { strategy: 'merge', mergeKey: 'topologyKey', listType: 'map', mapKeys: ['topologyKey', 'whenUnsatisfiable'] },
    volumes: { strategy: 'merge,retainKeys', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
  },
  [`${CORE}.PodStatus`]: {
    conditions: { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
    containerStatuses: { listType: 'atomic' },
    ephemeralContainerStatuses: { listType: 'atomic' },
    hostIPs: { strategy: 'merge', mergeKey: 'ip', listType: 'atomic' },
    initContainerStatuses: { listType: 'atomic' },
    podIPs: { strategy: 'merge', mergeKey: 'ip', listType: 'map', mapKeys: ['ip'] },
    resourceClaimStatuses: { strategy: 'merge,retainKeys', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
  },
  [`${CORE}.ProjectedVolumeSource`]: {
    sources: { listType: 'atomic' },
  },
  [`${CORE}.RBDPersistentVolumeSource`]: {
    monitors: { listType: 'atomic' },
  },
  [`${CORE}.RBDVolumeSource`]: {
    monitors: { listType: 'atomic' },
  },
  [`${CORE}.ReplicationControllerSpec`]: {
    selector: { mapType: 'atomic' },
  },
  [`${CORE}.ReplicationControllerStatus`]: {
    conditions: { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
  },
  [`${CORE}.ResourceFieldSelector`]: {
    '': { mapType: 'atomic' },
  },
  [`${CORE}.ResourceQuotaSpec`]: {
    scopes: { listType: 'atomic' },
  },
  [`${CORE}.ResourceRequirements`]: {
    claims: { listType: 'map', mapKeys: ['name'] },
  },
  [`${CORE}.ScopeSelector`]: {
    '': { mapType: 'atomic' },
    matchExpressions: { listType: 'atomic' },
  },
  [`${CORE}.ScopedResourceSelectorRequirement`]: {
    values: { listType: 'atomic' },
  },
  [`${CORE}.SecretEnvSource`]: {
    '': { mapType: 'atomic' },
  },
  [`${CORE}.SecretKeySelector`]: {
    '': { mapType: 'atomic' },
  },
  [`${CORE}.SecretProjection`]: {
    '': { mapType: 'atomic' },
    items: { listType: 'atomic' },
  },
  [`${CORE}.SecretReference`]: {
    '': { mapType: 'atomic' },
  },
  [`${CORE}.SecretVolumeSource`]: {
    items: { listType: 'atomic' },
  },
  [`${CORE}.ServiceAccount`]: {
    imagePullSecrets: { listType: 'atomic' },
    secrets: { strategy: 'merge', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
  },
  [`${CORE}.ServiceSpec`]: {
    clusterIPs: { listType: 'atomic' },
    externalIPs: { listType: 'atomic' },
    ipFamilies: { listType: 'atomic' },
    loadBalancerSourceRanges: { listType: 'atomic' },
    ports: { strategy: 'merge', mergeKey: 'port', listType: 'map', mapKeys: ['port', 'protocol'] },
    selector: { mapType: 'atomic' },
  },
  [`${CORE}.ServiceStatus`]: {
    conditions: { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
  },
  [`${CORE}.TopologySelectorLabelRequirement`]: {
    values: { listType: 'atomic' },
  },
  [`${CORE}.TopologySelectorTerm`]: {
    '': { mapType: 'atomic' },
    matchLabelExpressions: { listType: 'atomic' },
  },
  [`${CORE}.TopologySpreadConstraint`]: {
    matchLabelKeys: { listType: 'atomic' },
  },
  [`${CORE}.TypedLocalObjectReference`]: {
    '': { mapType: 'atomic' },
  },
  // apps/v1
  [`${APPS}.DaemonSetStatus`]: {
    conditions: { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
  },
  [`${APPS}.DeploymentSpec`]: {
    strategy: { strategy: 'retainKeys' },
  },
  [`${APPS}.DeploymentStatus`]: {
    conditions: { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
  },
  [`${APPS}.ReplicaSetStatus`]: {
    conditions: { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
  },
  [`${APPS}.StatefulSetSpec`]: {
    volumeClaimTemplates: { listType: 'atomic' },
  },
  [`${APPS}.StatefulSetStatus`]: {
    conditions: { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
  },
  // batch/v1
  [`${BATCH}.CronJobStatus`]: {
    active: { listType: 'atomic' },
  },
  [`${BATCH}.JobStatus`]: {
    conditions: { strategy: 'merge', mergeKey: 'type', listType: 'atomic' },
  },
  [`${BATCH}.PodFailurePolicy`]: {
    rules: { listType: 'atomic' },
  },
  [`${BATCH}.PodFailurePolicyOnExitCodesRequirement`]: {
    values: { listType: 'set' },
  },
  [`${BATCH}.PodFailurePolicyRule`]: {
    onPodConditions: { listType: 'atomic' },
  },
  [`${BATCH}.SuccessPolicy`]: {
    rules: { listType: 'atomic' },
  },
  [`${BATCH}.UncountedTerminatedPods`]: {
    failed: { listType: 'set' },
    succeeded: { listType: 'set' },
  },
  // meta/v1
  [`${META}.APIGroup`]: {
    serverAddressByClientCIDRs: { listType: 'atomic' },
    versions: { listType: 'atomic' },
  },
  [`${META}.APIGroupList`]: {
    groups: { listType: 'atomic' },
  },
  [`${META}.APIResource`]: {
    categories: { listType: 'atomic' },
    shortNames: { listType: 'atomic' },
  },
  [`${META}.APIResourceList`]: {
    resources: { listType: 'atomic' },
  },
  [`${META}.APIVersions`]: {
    serverAddressByClientCIDRs: { listType: 'atomic' },
    versions: { listType: 'atomic' },
  },
  [`${META}.DeleteOptions`]: {
    dryRun: { listType: 'atomic' },
  },
  [`${META}.LabelSelector`]: {
    '': { mapType: 'atomic' },
    matchExpressions: { listType: 'atomic' },
  },
  [`${META}.LabelSelectorRequirement`]: {
    values: { listType: 'atomic' },
  },
  [`${META}.ObjectMeta`]: {
    finalizers: { strategy: 'merge', listType: 'set' },
    managedFields: { listType: 'atomic' },
    ownerReferences: { strategy: 'merge', mergeKey: 'uid', listType: 'map', mapKeys: ['uid'] },
  },
  [`${META}.OwnerReference`]: {
    '': { mapType: 'atomic' },
  },
  [`${META}.Status`]: {
    details: { listType: 'atomic' },
  },
  [`${META}.StatusDetails`]: {
    causes: { listType: 'atomic' },
  },
};
