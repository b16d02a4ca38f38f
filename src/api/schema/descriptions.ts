// Our own short descriptions of the kinds we serve and of the fields a learner meets in
// `kubectl explain pods` (and its spec, containers, metadata and status). Written for tinykube;
// the generated definitions carry no prose. Applied to the served OpenAPI documents by ./index.ts.

export interface TypeDocs {
  /** What the type (or kind) is. */
  description?: string;
  /** field name -> what the field holds. */
  fields?: Readonly<Record<string, string>>;
}

const CORE = 'io.k8s.api.core.v1';
const APPS = 'io.k8s.api.apps.v1';
const BATCH = 'io.k8s.api.batch.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Descriptions of apiVersion, kind and metadata, shared by every top-level kind (unless overridden). */
export const kindFieldDescriptions: Readonly<Record<string, string>> = {
  apiVersion:
    'The group and version of the API this object is written against, such as "v1" or "apps/v1". The server uses it to decide how to read the rest of the object.',
  kind: 'The type of this object, in CamelCase, such as "Pod". A client may leave it out when the URL already names the resource; it cannot be changed.',
  metadata: 'Standard metadata every stored object has: name, namespace, labels, annotations, and fields the server maintains.',
};

/** Descriptions of metadata and items, shared by every list kind (FooList). */
export const listFieldDescriptions: Readonly<Record<string, string>> = {
  metadata: 'Metadata of the list itself: the resourceVersion it was read at and, for paged reads, the continue token.',
  items: 'The objects in the list.',
};

const spec = (what: string) => `The desired state of the ${what}, as written by its user.`;
const status = (what: string) => `The state of the ${what} as last observed by the system. Read-only for clients; controllers and the kubelet write it.`;
const seconds = (what: string) => `${what}, in seconds.`;

/** Fields shared by regular, init and ephemeral containers. */
const containerFields: Readonly<Record<string, string>> = {
  args: 'Arguments passed to the entrypoint. The image\'s CMD is used when this is empty. $(VAR) references to the container\'s environment are expanded; write $$(VAR) for a literal.',
  command: 'The entrypoint, run without a shell. The image\'s ENTRYPOINT is used when this is empty. $(VAR) references are expanded as in args.',
  env: 'Environment variables set in the container.',
  envFrom: 'Sources (ConfigMaps or Secrets) whose keys all become environment variables. Variables in env win over these when names clash.',
  image: 'The container image to run, such as "nginx:1.27".',
  imagePullPolicy: 'When the image is pulled: "Always", "IfNotPresent" or "Never". Defaults to Always for the :latest tag (or no tag), IfNotPresent otherwise.',
  lifecycle: 'Actions the system runs right after the container starts and right before it is stopped.',
  livenessProbe: 'A periodic check of whether the container is alive. The container is restarted when it fails.',
  name: 'The container\'s name, unique within the pod (a DNS label). Cannot be changed.',
  ports: 'Ports the container listens on. Listing them is informational: a port the process opens is reachable whether listed or not.',
  readinessProbe: 'A periodic check of whether the container is ready to receive traffic. A failing container is removed from service endpoints.',
  resizePolicy: 'How each resource may be resized in place: with or without restarting the container.',
  resources: 'The compute resources (CPU, memory...) the container requests and is limited to.',
  restartPolicy: 'For init containers only: "Always" turns the init container into a sidecar that keeps running beside the regular containers.',
  securityContext: 'Security settings for this container, overriding the pod\'s securityContext where both set a value.',
  startupProbe: 'A check that the container has started. Other probes wait until it succeeds; if it fails, the container is restarted.',
  stdin: 'Whether the container keeps a standard input stream open, e.g. for `kubectl attach`.',
  stdinOnce: 'Whether standard input is closed after the first attached client disconnects.',
  terminationMessagePath: 'The file in the container whose contents become the termination message when the container ends. Defaults to /dev/termination-log.',
  terminationMessagePolicy: 'Where the termination message comes from: "File" (the default) or "FallbackToLogsOnError", which uses the end of the log when the file is empty and the container failed.',
  tty: 'Whether the container gets a terminal (TTY). Needs stdin too.',
  volumeDevices: 'Raw block devices from the pod\'s volumes to expose inside the container.',
  volumeMounts: 'Volumes of the pod to mount into the container\'s filesystem.',
  workingDir: 'The working directory of the container\'s process. The image\'s default is used when empty.',
};

export const descriptions: Readonly<Record<string, TypeDocs>> = {
  // ---- kinds we serve ----
  [`${CORE}.Pod`]: {
    description:
      'A Pod is the smallest thing Kubernetes runs: one or more containers scheduled together onto a node, sharing its network namespace and volumes. Clients create pods; the scheduler places them and the node\'s kubelet runs them.',
    fields: { spec: spec('pod: its containers, volumes and scheduling constraints'), status: status('pod') },
  },
  [`${CORE}.Namespace`]: {
    description: 'A Namespace groups objects under one name scope: names of namespaced objects only need to be unique within it. Deleting a namespace deletes everything in it.',
    fields: { spec: 'The finalizers that must finish before the namespace goes away.', status: 'The lifecycle phase of the namespace and conditions about its deletion.' },
  },
  [`${CORE}.Node`]: {
    description: 'A Node is a machine (physical or virtual) that runs pods. Its kubelet registers it and reports its capacity and health.',
    fields: { spec: 'How the node is configured: pod address ranges, taints and whether new pods may be scheduled to it.', status: status('node: addresses, capacity, conditions and system information') },
  },
  [`${CORE}.Event`]: {
    description:
      'An Event is a short report that something happened to an object, such as a pod being scheduled or an image being pulled. Events expire after a while and are meant for people reading `kubectl describe` and `kubectl events`.',
    fields: {
      action: 'What was done, or failed to be done, about the object.',
      count: 'How many times this event has occurred.',
      eventTime: 'When the event was first seen, with microsecond precision.',
      firstTimestamp: 'When the event was first recorded.',
      involvedObject: 'The object this event is about.',
      lastTimestamp: 'When the event was most recently recorded.',
      message: 'A human-readable explanation of what happened.',
      reason: 'A short, machine-readable CamelCase word for why the event happened, such as "Scheduled".',
      related: 'A second object involved in the event, if any.',
      reportingComponent: 'The component that emitted the event, such as "kubelet".',
      reportingInstance: 'The instance of that component, such as the node name.',
      series: 'Data about a repeating series of this event.',
      source: 'The component and host that reported the event.',
      type: 'The kind of event: "Normal" or "Warning".',
    },
  },
  'io.k8s.api.events.v1.Event': {
    description:
      'An Event (events.k8s.io) reports that something happened to an object in the cluster. It is the newer form of the core v1 Event, with clearer field names and support for series of repeating events.',
    fields: {
      action: 'What was done, or failed to be done, about the regarding object.',
      eventTime: 'When the event was first observed, with microsecond precision.',
      note: 'A human-readable description of what happened.',
      reason: 'A short CamelCase word for why the event happened.',
      regarding: 'The object this event is about.',
      related: 'A second object involved in the event, if any.',
      reportingController: 'The controller that emitted the event, such as "kubernetes.io/kubelet".',
      reportingInstance: 'The instance of that controller that emitted the event.',
      series: 'Data about a repeating series of this event.',
      type: 'The kind of event: "Normal" or "Warning".',
    },
  },
  [`${CORE}.Binding`]: {
    description: 'A Binding assigns a pod to a node. The scheduler creates one through the pod\'s binding subresource; it is not stored as an object of its own.',
    fields: { target: 'The object the pod is bound to: a Node, by name.' },
  },
  'io.k8s.api.coordination.v1.Lease': {
    description: 'A Lease is a lightweight lock with an expiry. Nodes renew one as a heartbeat, and controllers use them to elect a leader.',
    fields: { spec: 'Who holds the lease, for how long, and when it was acquired and renewed.' },
  },
  'io.k8s.api.coordination.v1.LeaseSpec': {
    description: 'The holder and timing of a lease.',
    fields: {
      acquireTime: 'When the current holder acquired the lease.',
      holderIdentity: 'The identity of the current holder.',
      leaseDurationSeconds: seconds('How long other candidates must wait after the last renewal before they may take the lease'),
      leaseTransitions: 'How many times the lease has changed holders.',
      renewTime: 'When the current holder last renewed the lease.',
    },
  },
  [`${APPS}.ReplicaSet`]: {
    description: 'A ReplicaSet keeps a given number of identical pods running, creating or deleting pods that match its selector. Deployments manage ReplicaSets for you.',
    fields: { spec: spec('ReplicaSet: how many pods, which pods it owns, and the template for new ones'), status: status('ReplicaSet') },
  },
  [`${APPS}.Deployment`]: {
    description: 'A Deployment runs a replicated application and rolls out changes to it: it manages ReplicaSets, moving pods from the old template to the new one at a controlled pace.',
    fields: { spec: spec('Deployment: the pod template, the number of replicas and the rollout strategy'), status: status('Deployment') },
  },
  [`${APPS}.StatefulSet`]: {
    description: 'A StatefulSet runs pods that each keep a stable identity (name, network identity and storage) across rescheduling, created and updated in order.',
    fields: { spec: spec('StatefulSet: the pod template, replicas, volume claims and update strategy'), status: status('StatefulSet') },
  },
  [`${APPS}.DaemonSet`]: {
    description: 'A DaemonSet runs one copy of a pod on every node (or on every node matching a selector), adding pods as nodes join.',
    fields: { spec: spec('DaemonSet: the pod template, selector and update strategy'), status: status('DaemonSet') },
  },
  [`${APPS}.ControllerRevision`]: {
    description: 'A ControllerRevision records one version of the state a StatefulSet or DaemonSet rolled out, so it can roll back. Its data cannot change once written.',
    fields: { data: 'The recorded state, as an arbitrary object.', revision: 'The revision number, increasing with each new revision of the owner.' },
  },
  [`${BATCH}.Job`]: {
    description: 'A Job runs pods until a given number of them finish successfully, retrying failed ones up to a limit. Use it for work that ends, such as a batch computation.',
    fields: { spec: spec('Job: the pod template, how many completions are needed and how failures are handled'), status: status('Job') },
  },
  [`${BATCH}.CronJob`]: {
    description: 'A CronJob creates a Job on a repeating schedule written in cron syntax.',
    fields: { spec: spec('CronJob: the schedule and the template for the Jobs it creates'), status: status('CronJob') },
  },

  // ---- the pod ----
  [`${CORE}.PodSpec`]: {
    description: 'The specification of a pod: what it runs and where and how it may run.',
    fields: {
      activeDeadlineSeconds: seconds('How long the pod may be active, counted from its start, before the system marks it failed and kills its containers'),
      affinity: 'Rules that attract the pod to, or keep it away from, certain nodes and other pods.',
      automountServiceAccountToken: 'Whether the service account token is mounted into the pod automatically.',
      containers: 'The containers that make up the pod. At least one is required, and the list cannot change after creation.',
      dnsConfig: 'Extra DNS settings (nameservers, search domains, resolver options) merged into the pod\'s resolver configuration.',
      dnsPolicy: 'How DNS is set up for the pod: "ClusterFirst" (the default), "ClusterFirstWithHostNet", "Default" (inherit the node\'s), or "None" (use dnsConfig only).',
      enableServiceLinks: 'Whether information about services is injected into the containers as environment variables, docker-links style. Defaults to true.',
      ephemeralContainers: 'Temporary containers added to a running pod for debugging, e.g. by `kubectl debug`. They are added through the ephemeralcontainers subresource, never at creation.',
      hostAliases: 'Extra entries for the pod\'s /etc/hosts file.',
      hostIPC: 'Whether the pod uses the node\'s IPC namespace.',
      hostNetwork: 'Whether the pod uses the node\'s network namespace instead of its own, so its ports are the node\'s ports.',
      hostPID: 'Whether the pod uses the node\'s process ID namespace.',
      hostUsers: 'Whether the pod runs in the node\'s user namespace (true, the default) or in a user namespace of its own (false).',
      hostname: 'The pod\'s hostname. Defaults to the pod\'s name.',
      imagePullSecrets: 'Secrets in the pod\'s namespace holding registry credentials used to pull the container images.',
      initContainers: 'Containers that run one after another, each to completion, before the regular containers start. Used to prepare the pod; if one fails, the pod restarts according to its restart policy.',
      nodeName: 'The node the pod is bound to. Normally set by the scheduler; setting it yourself bypasses scheduling.',
      nodeSelector: 'Labels a node must carry for the pod to be scheduled onto it.',
      os: 'The operating system the pod\'s containers are meant for, which decides which OS-specific fields are validated.',
      overhead: 'Resources used by the pod\'s sandbox itself, on top of its containers. Set from the RuntimeClass at admission.',
      preemptionPolicy: 'Whether the pod may preempt (evict) lower-priority pods to be scheduled: "PreemptLowerPriority" (the default) or "Never".',
      priority: 'The pod\'s scheduling priority, resolved from its priority class at admission. Higher values are more important.',
      priorityClassName: 'The name of the PriorityClass that sets this pod\'s priority.',
      readinessGates: 'Extra pod conditions that must be True before the pod counts as ready.',
      resourceClaims: 'Dynamically allocated resources (such as devices) the pod needs, by claim.',
      restartPolicy: 'When the containers of the pod are restarted after they exit: "Always" (the default), "OnFailure", or "Never".',
      runtimeClassName: 'The RuntimeClass (container runtime configuration) the pod runs with.',
      schedulerName: 'The scheduler responsible for placing this pod. Defaults to "default-scheduler".',
      schedulingGates: 'Gates that hold the pod back from scheduling while any of them remains.',
      securityContext: 'Security settings for the whole pod (user and group IDs, filesystem group, sysctls...). Container-level settings override them.',
      serviceAccount: 'Deprecated alias of serviceAccountName.',
      serviceAccountName: 'The service account the pod runs as, which decides its API permissions.',
      setHostnameAsFQDN: 'Whether the pod\'s hostname is set to its fully qualified domain name rather than the short name.',
      shareProcessNamespace: 'Whether all containers of the pod share one process namespace, so they can see each other\'s processes.',
      subdomain: 'The pod\'s subdomain: with it its full hostname becomes "<hostname>.<subdomain>.<namespace>.svc.<cluster domain>".',
      terminationGracePeriodSeconds: seconds('How long the pod is given to shut down gracefully after a deletion request, before its processes are killed. Defaults to 30'),
      tolerations: 'Taints the pod tolerates, allowing it onto nodes that carry them.',
      topologySpreadConstraints: 'How the pod\'s replicas should be spread across topology domains such as zones or nodes.',
      volumes: 'Volumes that containers of the pod can mount.',
    },
  },
  [`${CORE}.PodStatus`]: {
    description: 'The observed state of a pod. It may lag behind reality.',
    fields: {
      conditions: 'Conditions of the pod, such as PodScheduled, Initialized, ContainersReady and Ready.',
      containerStatuses: 'The status of each regular container, as last reported by the kubelet.',
      ephemeralContainerStatuses: 'The status of each ephemeral container.',
      hostIP: 'The IP address of the node the pod runs on.',
      hostIPs: 'The IP addresses of the node the pod runs on, one per address family.',
      initContainerStatuses: 'The status of each init container.',
      message: 'A human-readable explanation of why the pod is in its current state.',
      nominatedNodeName: 'The node the scheduler preempted other pods on to make room for this one; it may still land elsewhere.',
      phase: 'A simple summary of where the pod is in its lifecycle: "Pending", "Running", "Succeeded", "Failed" or "Unknown".',
      podIP: 'The IP address allocated to the pod.',
      podIPs: 'The IP addresses allocated to the pod, one per address family.',
      qosClass: 'The quality-of-service class derived from the containers\' requests and limits: "Guaranteed", "Burstable" or "BestEffort".',
      reason: 'A short CamelCase word for why the pod is in its current state, such as "Evicted".',
      resize: 'The state of an in-place resize of the pod\'s container resources.',
      resourceClaimStatuses: 'The names of the ResourceClaims generated for the pod\'s resource claims.',
      startTime: 'When the kubelet acknowledged the pod, before any image was pulled.',
    },
  },
  [`${CORE}.PodCondition`]: {
    description: 'One aspect of a pod\'s state, true or false.',
    fields: {
      lastProbeTime: 'When the condition was last checked.',
      lastTransitionTime: 'When the condition last changed from one status to another.',
      message: 'A human-readable explanation of the last transition.',
      reason: 'A short CamelCase word for the last transition.',
      status: 'Whether the condition holds: "True", "False" or "Unknown".',
      type: 'Which condition this is, such as "Ready" or "PodScheduled".',
    },
  },
  [`${CORE}.PodIP`]: { description: 'An IP address allocated to a pod.', fields: { ip: 'The IP address.' } },
  [`${CORE}.HostIP`]: { description: 'An IP address of the node a pod runs on.', fields: { ip: 'The IP address.' } },

  // ---- containers ----
  [`${CORE}.Container`]: { description: 'A single application container that runs inside a pod.', fields: containerFields },
  [`${CORE}.EphemeralContainer`]: {
    description: 'A temporary container added to a running pod, usually to debug it. It has no resources, ports or probes of its own and is never restarted.',
    fields: { ...containerFields, targetContainerName: 'The container whose namespaces (such as its process namespace) the ephemeral container joins.' },
  },
  [`${CORE}.ContainerPort`]: {
    description: 'A network port a container listens on.',
    fields: {
      containerPort: 'The port number in the container\'s network namespace (1-65535).',
      hostIP: 'The node IP address to bind an exposed host port to.',
      hostPort: 'The port number on the node to expose this port on. Most pods do not need one.',
      name: 'A name for the port (an IANA service name), which services can refer to. Unique within the pod.',
      protocol: 'The protocol: "TCP" (the default), "UDP" or "SCTP".',
    },
  },
  [`${CORE}.EnvVar`]: {
    description: 'An environment variable of a container.',
    fields: {
      name: 'The variable\'s name.',
      value: 'The variable\'s value. $(VAR) references to variables defined earlier are expanded; write $$(VAR) for a literal. Defaults to "".',
      valueFrom: 'Where to read the value from instead: a ConfigMap or Secret key, a field of the pod, or a resource of the container. Cannot be used with value.',
    },
  },
  [`${CORE}.EnvVarSource`]: {
    description: 'Where an environment variable\'s value comes from. Set exactly one field.',
    fields: {
      configMapKeyRef: 'A key of a ConfigMap in the pod\'s namespace.',
      fieldRef: 'A field of the pod, such as metadata.name, metadata.namespace, spec.nodeName or status.podIP.',
      resourceFieldRef: 'A resource request or limit of a container, such as limits.memory.',
      secretKeyRef: 'A key of a Secret in the pod\'s namespace.',
    },
  },
  [`${CORE}.EnvFromSource`]: {
    description: 'A ConfigMap or Secret whose keys all become environment variables.',
    fields: {
      configMapRef: 'The ConfigMap to read.',
      prefix: 'A prefix added to every variable name taken from this source.',
      secretRef: 'The Secret to read.',
    },
  },
  [`${CORE}.ConfigMapKeySelector`]: {
    description: 'Selects one key of a ConfigMap.',
    fields: { key: 'The key to read.', name: 'The ConfigMap\'s name.', optional: 'Whether the ConfigMap or key may be missing.' },
  },
  [`${CORE}.SecretKeySelector`]: {
    description: 'Selects one key of a Secret.',
    fields: { key: 'The key to read.', name: 'The Secret\'s name.', optional: 'Whether the Secret or key may be missing.' },
  },
  [`${CORE}.ObjectFieldSelector`]: {
    description: 'Selects a field of an object by path.',
    fields: { apiVersion: 'The API version the path is written against. Defaults to "v1".', fieldPath: 'The path of the field, such as metadata.name.' },
  },
  [`${CORE}.ResourceFieldSelector`]: {
    description: 'Selects a resource request or limit of a container.',
    fields: {
      containerName: 'The container whose resources are read. Defaults to the current container.',
      divisor: 'The unit to express the value in, such as "1Mi". Defaults to "1".',
      resource: 'The resource to read, such as limits.cpu or requests.memory.',
    },
  },
  [`${CORE}.ConfigMapEnvSource`]: {
    description: 'A ConfigMap whose keys become environment variables.',
    fields: { name: 'The ConfigMap\'s name.', optional: 'Whether the ConfigMap may be missing.' },
  },
  [`${CORE}.SecretEnvSource`]: {
    description: 'A Secret whose keys become environment variables.',
    fields: { name: 'The Secret\'s name.', optional: 'Whether the Secret may be missing.' },
  },
  [`${CORE}.VolumeMount`]: {
    description: 'Where and how a volume of the pod is mounted into a container.',
    fields: {
      mountPath: 'The path inside the container to mount the volume at. Must not contain ":".',
      mountPropagation: 'How mounts propagate between the node and the container: "None" (the default), "HostToContainer" or "Bidirectional".',
      name: 'The name of the pod volume to mount.',
      readOnly: 'Whether the volume is mounted read-only. Defaults to false.',
      recursiveReadOnly: 'Whether a read-only mount is also read-only for mounts beneath it: "Disabled", "IfPossible" or "Enabled".',
      subPath: 'A path within the volume to mount instead of its root.',
      subPathExpr: 'Like subPath, but $(VAR) references to the container\'s environment are expanded. Cannot be used with subPath.',
    },
  },
  [`${CORE}.VolumeDevice`]: {
    description: 'A raw block device from a volume, exposed inside a container.',
    fields: { devicePath: 'The device path inside the container.', name: 'The name of the pod volume (a PersistentVolumeClaim) to expose.' },
  },
  [`${CORE}.ResourceRequirements`]: {
    description: 'Compute resources a container asks for and is held to.',
    fields: {
      claims: 'Which of the pod\'s resource claims this container uses.',
      limits: 'The most of each resource the container may use, such as cpu: "500m" or memory: "128Mi". Exceeding a memory limit gets the container killed.',
      requests: 'The amount of each resource the container needs; the scheduler only places the pod on a node with that much free. Defaults to the limits when only limits are set.',
    },
  },
  [`${CORE}.ResourceClaim`]: {
    description: 'A reference from a container to one of its pod\'s resource claims.',
    fields: { name: 'The name of an entry in the pod\'s spec.resourceClaims.' },
  },
  [`${CORE}.ContainerResizePolicy`]: {
    description: 'How one resource of a container is resized in place.',
    fields: { resourceName: 'The resource, "cpu" or "memory".', restartPolicy: 'What a resize needs: "NotRequired" (the default) or "RestartContainer".' },
  },
  [`${CORE}.Probe`]: {
    description: 'A health check the kubelet runs against a container. Set exactly one of exec, httpGet, tcpSocket and grpc.',
    fields: {
      exec: 'Run a command in the container; exit status 0 means healthy.',
      failureThreshold: 'How many failures in a row count as failed. Defaults to 3.',
      grpc: 'Call the standard gRPC health checking service.',
      httpGet: 'Send an HTTP GET request; a status from 200 to 399 means healthy.',
      initialDelaySeconds: seconds('How long to wait after the container starts before the first check'),
      periodSeconds: seconds('How often to check. Defaults to 10'),
      successThreshold: 'How many successes in a row count as succeeded after a failure. Defaults to 1, and must be 1 for liveness and startup probes.',
      tcpSocket: 'Open a TCP connection; success means healthy.',
      terminationGracePeriodSeconds: seconds('The grace period given to the container when this probe fails and it is killed, overriding the pod\'s'),
      timeoutSeconds: seconds('How long one check may take before it counts as failed. Defaults to 1'),
    },
  },
  [`${CORE}.ExecAction`]: {
    description: 'Runs a command inside the container.',
    fields: { command: 'The command and its arguments. It is run directly, not in a shell; exit status 0 means success.' },
  },
  [`${CORE}.HTTPGetAction`]: {
    description: 'Sends an HTTP GET request.',
    fields: {
      host: 'The host to connect to. Defaults to the pod\'s IP.',
      httpHeaders: 'Extra headers to send.',
      path: 'The path to request.',
      port: 'The port to connect to: a number, or the name of a container port.',
      scheme: 'The scheme: "HTTP" (the default) or "HTTPS".',
    },
  },
  [`${CORE}.HTTPHeader`]: { description: 'An HTTP header.', fields: { name: 'The header name.', value: 'The header value.' } },
  [`${CORE}.TCPSocketAction`]: {
    description: 'Opens a TCP connection.',
    fields: { host: 'The host to connect to. Defaults to the pod\'s IP.', port: 'The port to connect to: a number, or the name of a container port.' },
  },
  [`${CORE}.GRPCAction`]: {
    description: 'Calls the gRPC health checking service.',
    fields: { port: 'The port of the gRPC service.', service: 'The service name to put in the health check request. Empty checks the server as a whole.' },
  },
  [`${CORE}.Lifecycle`]: {
    description: 'Actions run at points of a container\'s life.',
    fields: {
      postStart: 'Runs right after the container is created. The container is restarted if it fails.',
      preStop: 'Runs right before the container is stopped by an API request or event. The stop waits for it, within the grace period.',
    },
  },
  [`${CORE}.LifecycleHandler`]: {
    description: 'One lifecycle action. Set exactly one field.',
    fields: { exec: 'Run a command in the container.', httpGet: 'Send an HTTP GET request.', sleep: 'Wait for a while.', tcpSocket: 'Deprecated: open a TCP connection.' },
  },
  [`${CORE}.SleepAction`]: { description: 'Waits for a while.', fields: { seconds: seconds('How long to sleep') } },
  [`${CORE}.SecurityContext`]: {
    description: 'Security settings of one container. Where a field is also set in the pod\'s securityContext, this one wins.',
    fields: {
      allowPrivilegeEscalation: 'Whether a process may gain more privileges than its parent (the no_new_privs flag). Always true when privileged or with CAP_SYS_ADMIN.',
      appArmorProfile: 'The AppArmor profile to apply.',
      capabilities: 'Linux capabilities to add to or drop from the runtime\'s default set.',
      privileged: 'Whether the container runs privileged: its processes are root on the node, with access to all devices. Defaults to false.',
      procMount: 'Which /proc mount to use: "Default" (masked paths) or "Unmasked".',
      readOnlyRootFilesystem: 'Whether the container\'s root filesystem is read-only. Defaults to false.',
      runAsGroup: 'The group ID the entrypoint runs as.',
      runAsNonRoot: 'When true, the kubelet refuses to start the container if it would run as user 0 (root).',
      runAsUser: 'The user ID the entrypoint runs as. Defaults to the image\'s user.',
      seLinuxOptions: 'The SELinux context to apply.',
      seccompProfile: 'The seccomp profile to apply.',
      windowsOptions: 'Settings that only apply to Windows containers.',
    },
  },
  [`${CORE}.PodSecurityContext`]: {
    description: 'Security settings that apply to every container of a pod, and to its volumes.',
    fields: {
      appArmorProfile: 'The AppArmor profile of the containers.',
      fsGroup: 'A group ID that owns the pod\'s volumes and is added to every container\'s process.',
      fsGroupChangePolicy: 'When volume ownership is changed to fsGroup: "OnRootMismatch" or "Always" (the default).',
      runAsGroup: 'The group ID the containers\' entrypoints run as.',
      runAsNonRoot: 'When true, the kubelet refuses to start containers that would run as root.',
      runAsUser: 'The user ID the containers\' entrypoints run as.',
      seLinuxOptions: 'The SELinux context of the containers.',
      seccompProfile: 'The seccomp profile of the containers.',
      supplementalGroups: 'Extra group IDs added to every container\'s first process.',
      sysctls: 'Namespaced kernel parameters set for the pod.',
      windowsOptions: 'Settings that only apply to Windows containers.',
    },
  },
  [`${CORE}.Capabilities`]: {
    description: 'Linux capabilities to add and drop.',
    fields: { add: 'Capabilities to add, such as NET_ADMIN.', drop: 'Capabilities to remove, such as ALL.' },
  },
  [`${CORE}.ContainerStatus`]: {
    description: 'The observed state of one container of a pod.',
    fields: {
      allocatedResources: 'The resources the node has allocated to the container.',
      containerID: 'The container\'s ID in the runtime, as "<type>://<id>".',
      image: 'The image the container runs.',
      imageID: 'The ID (digest) of the image the container runs.',
      lastState: 'The state the container was in when it last ended, if it has restarted.',
      name: 'The container\'s name, as in the pod spec.',
      ready: 'Whether the container passes its readiness probe.',
      resources: 'The resource requests and limits currently applied to the container.',
      restartCount: 'How many times the container has been restarted.',
      started: 'Whether the container has started and passed its startup probe.',
      state: 'The container\'s current state: waiting, running or terminated.',
      volumeMounts: 'The volumes mounted into the container.',
    },
  },
  [`${CORE}.ContainerState`]: {
    description: 'The state of a container. Exactly one field is set.',
    fields: { running: 'The container is running.', terminated: 'The container has ended.', waiting: 'The container is not running yet (the default state).' },
  },
  [`${CORE}.ContainerStateRunning`]: { description: 'A running container.', fields: { startedAt: 'When the container last (re)started.' } },
  [`${CORE}.ContainerStateWaiting`]: {
    description: 'A container that is not running yet.',
    fields: { message: 'Why it is not running yet, in words.', reason: 'Why it is not running yet, as a word such as "ContainerCreating" or "CrashLoopBackOff".' },
  },
  [`${CORE}.ContainerStateTerminated`]: {
    description: 'A container that has ended.',
    fields: {
      containerID: 'The container\'s ID in the runtime.',
      exitCode: 'The exit status of its last run.',
      finishedAt: 'When it ended.',
      message: 'Details of why it ended.',
      reason: 'Why it ended, as a word such as "Completed" or "Error".',
      signal: 'The signal that ended it, if any.',
      startedAt: 'When its last run started.',
    },
  },

  // ---- volumes ----
  [`${CORE}.Volume`]: {
    description: 'A named volume of a pod that its containers can mount. Set name and exactly one source.',
    fields: {
      awsElasticBlockStore: 'Deprecated: an AWS EBS disk.',
      azureDisk: 'Deprecated: an Azure data disk.',
      azureFile: 'Deprecated: an Azure file share.',
      cephfs: 'A CephFS mount.',
      cinder: 'Deprecated: an OpenStack Cinder volume.',
      configMap: 'A ConfigMap whose keys appear as files.',
      csi: 'An ephemeral volume provided by a CSI driver.',
      downwardAPI: 'Files holding information about the pod itself.',
      emptyDir: 'An empty directory that lives as long as the pod. The default when no source is given.',
      ephemeral: 'A volume provisioned for the pod by a storage driver through a generated PersistentVolumeClaim, deleted with the pod.',
      fc: 'A Fibre Channel disk.',
      flexVolume: 'Deprecated: a volume from a FlexVolume plugin.',
      flocker: 'Deprecated: a Flocker dataset.',
      gcePersistentDisk: 'Deprecated: a GCE persistent disk.',
      gitRepo: 'Deprecated: a git repository cloned into an empty directory. Use an init container instead.',
      glusterfs: 'Deprecated: a GlusterFS mount.',
      hostPath: 'A file or directory of the node. Gives the pod access to the node: use with care.',
      iscsi: 'An iSCSI disk.',
      name: 'The volume\'s name, unique within the pod (a DNS label). Volume mounts refer to it.',
      nfs: 'An NFS share.',
      persistentVolumeClaim: 'A PersistentVolumeClaim in the pod\'s namespace.',
      photonPersistentDisk: 'Deprecated: a Photon Controller disk.',
      portworxVolume: 'Deprecated: a Portworx volume.',
      projected: 'Several sources (secrets, config maps, downward API, service account token) merged into one directory.',
      quobyte: 'Deprecated: a Quobyte mount.',
      rbd: 'Deprecated: a Ceph RBD disk.',
      scaleIO: 'Deprecated: a ScaleIO volume.',
      secret: 'A Secret whose keys appear as files.',
      storageos: 'Deprecated: a StorageOS volume.',
      vsphereVolume: 'Deprecated: a vSphere volume.',
    },
  },
  [`${CORE}.EmptyDirVolumeSource`]: {
    description: 'An empty directory that lives as long as the pod.',
    fields: { medium: 'What backs the directory: "" (the node\'s disk, the default) or "Memory" (tmpfs).', sizeLimit: 'The most the directory may hold.' },
  },
  [`${CORE}.HostPathVolumeSource`]: {
    description: 'A file or directory of the node.',
    fields: { path: 'The path on the node.', type: 'What must be at the path: "" (no check), "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice" or "BlockDevice".' },
  },
  [`${CORE}.ConfigMapVolumeSource`]: {
    description: 'A ConfigMap projected as files: one file per key, unless items selects which.',
    fields: {
      defaultMode: 'The permission bits of the files, as a number (0644 octal by default).',
      items: 'Which keys to project and where. All keys are projected when empty.',
      name: 'The ConfigMap\'s name.',
      optional: 'Whether the ConfigMap may be missing.',
    },
  },
  [`${CORE}.SecretVolumeSource`]: {
    description: 'A Secret projected as files: one file per key, unless items selects which.',
    fields: {
      defaultMode: 'The permission bits of the files, as a number (0644 octal by default).',
      items: 'Which keys to project and where. All keys are projected when empty.',
      optional: 'Whether the Secret may be missing.',
      secretName: 'The Secret\'s name.',
    },
  },
  [`${CORE}.KeyToPath`]: {
    description: 'Maps one key to a file path.',
    fields: { key: 'The key.', mode: 'The permission bits of this file.', path: 'The relative path of the file.' },
  },
  [`${CORE}.PersistentVolumeClaimVolumeSource`]: {
    description: 'A reference to a PersistentVolumeClaim in the pod\'s namespace.',
    fields: { claimName: 'The claim\'s name.', readOnly: 'Whether to mount the volume read-only.' },
  },

  [`${CORE}.NodeAffinity`]: {
    description: 'Rules about which nodes a pod may run on.',
    fields: {
      preferredDuringSchedulingIgnoredDuringExecution: 'Weighted node preferences: the scheduler favours nodes that match, but may pick others.',
      requiredDuringSchedulingIgnoredDuringExecution: 'Node requirements the pod must meet to be scheduled. A running pod is not evicted when its node stops meeting them.',
    },
  },
  [`${CORE}.PodAffinity`]: {
    description: 'Rules to place a pod in the same topology domain as certain other pods.',
    fields: {
      preferredDuringSchedulingIgnoredDuringExecution: 'Weighted preferences to be near matching pods; the scheduler favours them but may ignore them.',
      requiredDuringSchedulingIgnoredDuringExecution: 'Terms that must hold at scheduling time: the pod goes only where matching pods already run.',
    },
  },
  [`${CORE}.PodAntiAffinity`]: {
    description: 'Rules to keep a pod out of topology domains where certain other pods run.',
    fields: {
      preferredDuringSchedulingIgnoredDuringExecution: 'Weighted preferences to avoid matching pods; the scheduler favours that but may ignore it.',
      requiredDuringSchedulingIgnoredDuringExecution: 'Terms that must hold at scheduling time: the pod never goes where matching pods run.',
    },
  },
  [`${CORE}.SeccompProfile`]: {
    description: 'A seccomp profile, which filters the system calls a process may make.',
    fields: {
      localhostProfile: 'For type Localhost: the profile file, relative to the kubelet\'s seccomp directory.',
      type: 'Which profile: "RuntimeDefault", "Localhost" or "Unconfined".',
    },
  },
  [`${CORE}.AppArmorProfile`]: {
    description: 'An AppArmor profile.',
    fields: { localhostProfile: 'For type Localhost: the name of a profile loaded on the node.', type: 'Which profile: "RuntimeDefault", "Localhost" or "Unconfined".' },
  },
  [`${CORE}.SELinuxOptions`]: {
    description: 'An SELinux context.',
    fields: { level: 'The SELinux level.', role: 'The SELinux role.', type: 'The SELinux type.', user: 'The SELinux user.' },
  },
  [`${CORE}.Sysctl`]: { description: 'A kernel parameter to set.', fields: { name: 'The parameter\'s name, such as net.ipv4.ip_local_port_range.', value: 'The value to set.' } },
  [`${CORE}.WindowsSecurityContextOptions`]: {
    description: 'Security settings for Windows containers.',
    fields: {
      gmsaCredentialSpec: 'The contents of the GMSA credential spec to use.',
      gmsaCredentialSpecName: 'The name of the GMSA credential spec to use.',
      hostProcess: 'Whether the container runs as a Windows host process.',
      runAsUserName: 'The Windows user name the entrypoint runs as.',
    },
  },
  [`${CORE}.PodResourceClaim`]: {
    description: 'A resource claim the pod uses, under a name its containers refer to.',
    fields: { name: 'The name containers use for this claim.', source: 'Where the claim comes from: an existing ResourceClaim or a template.' },
  },
  [`${CORE}.ClaimSource`]: {
    description: 'Where a pod\'s resource claim comes from. Set exactly one field.',
    fields: { resourceClaimName: 'An existing ResourceClaim in the pod\'s namespace.', resourceClaimTemplateName: 'A ResourceClaimTemplate from which a claim is made for this pod.' },
  },
  [`${CORE}.PodResourceClaimStatus`]: {
    description: 'The ResourceClaim generated for one of a pod\'s resource claims.',
    fields: { name: 'The name of the claim in the pod spec.', resourceClaimName: 'The name of the generated ResourceClaim.' },
  },
  [`${CORE}.VolumeMountStatus`]: {
    description: 'The state of one volume mount of a container.',
    fields: { mountPath: 'Where the volume is mounted.', name: 'The volume\'s name.', readOnly: 'Whether the mount is read-only.', recursiveReadOnly: 'Whether the mount is recursively read-only.' },
  },
  [`${CORE}.DownwardAPIVolumeSource`]: {
    description: 'Files holding information about the pod itself.',
    fields: { defaultMode: 'The permission bits of the files.', items: 'The files and the fields they hold.' },
  },
  [`${CORE}.ProjectedVolumeSource`]: {
    description: 'Several volume sources projected into one directory.',
    fields: { defaultMode: 'The permission bits of the files.', sources: 'The sources to project.' },
  },
  [`${CORE}.NFSVolumeSource`]: {
    description: 'An NFS share.',
    fields: { path: 'The exported path.', readOnly: 'Whether to mount the share read-only.', server: 'The NFS server\'s host name or IP address.' },
  },
  [`${CORE}.EphemeralVolumeSource`]: {
    description: 'A volume provisioned for one pod and deleted with it.',
    fields: { volumeClaimTemplate: 'The template of the PersistentVolumeClaim created for the pod.' },
  },
  [`${CORE}.CSIVolumeSource`]: {
    description: 'An ephemeral volume provided by a CSI driver.',
    fields: {
      driver: 'The name of the CSI driver.',
      fsType: 'The filesystem type to mount, such as "ext4".',
      nodePublishSecretRef: 'A Secret passed to the driver when mounting.',
      readOnly: 'Whether the volume is mounted read-only.',
      volumeAttributes: 'Driver-specific settings.',
    },
  },

  // ---- scheduling and other pod spec parts ----
  [`${CORE}.Toleration`]: {
    description: 'Lets a pod onto nodes that carry a matching taint.',
    fields: {
      effect: 'The taint effect to match: "NoSchedule", "PreferNoSchedule" or "NoExecute". Empty matches all.',
      key: 'The taint key to match. Empty, with operator Exists, matches every taint.',
      operator: 'How key and value are compared: "Equal" (the default) or "Exists" (any value).',
      tolerationSeconds: seconds('For NoExecute taints: how long the pod stays on the node after the taint appears. Forever when unset'),
      value: 'The taint value to match, with operator Equal.',
    },
  },
  [`${CORE}.Affinity`]: {
    description: 'Scheduling rules that relate a pod to nodes and to other pods.',
    fields: {
      nodeAffinity: 'Rules about the nodes the pod may or should run on.',
      podAffinity: 'Rules to place the pod near certain other pods.',
      podAntiAffinity: 'Rules to keep the pod away from certain other pods.',
    },
  },
  [`${CORE}.HostAlias`]: {
    description: 'An entry for the pod\'s /etc/hosts file.',
    fields: { hostnames: 'The names for the IP address.', ip: 'The IP address.' },
  },
  [`${CORE}.LocalObjectReference`]: { description: 'Names an object in the same namespace.', fields: { name: 'The object\'s name.' } },
  [`${CORE}.PodDNSConfig`]: {
    description: 'DNS settings for a pod, beyond what its DNS policy produces.',
    fields: { nameservers: 'DNS server IP addresses.', options: 'Resolver options.', searches: 'DNS search domains.' },
  },
  [`${CORE}.PodDNSConfigOption`]: { description: 'A resolver option.', fields: { name: 'The option\'s name.', value: 'The option\'s value.' } },
  [`${CORE}.PodReadinessGate`]: { description: 'An extra condition for pod readiness.', fields: { conditionType: 'The type of a pod condition that must be True.' } },
  [`${CORE}.PodSchedulingGate`]: { description: 'A gate that holds a pod back from scheduling.', fields: { name: 'The gate\'s name, unique within the pod.' } },
  [`${CORE}.PodOS`]: { description: 'The operating system of a pod.', fields: { name: 'The operating system: "linux" or "windows".' } },
  [`${CORE}.TopologySpreadConstraint`]: {
    description: 'How to spread matching pods across topology domains.',
    fields: {
      labelSelector: 'Which pods count when measuring the spread.',
      matchLabelKeys: 'Pod label keys whose values (taken from the incoming pod) are added to the selector.',
      maxSkew: 'The largest allowed difference in matching pods between any two domains.',
      minDomains: 'The least number of eligible domains.',
      nodeAffinityPolicy: 'Whether the pod\'s node affinity and selector limit which nodes count: "Honor" or "Ignore".',
      nodeTaintsPolicy: 'Whether node taints limit which nodes count: "Honor" or "Ignore".',
      topologyKey: 'The node label whose values define the domains, such as topology.kubernetes.io/zone.',
      whenUnsatisfiable: 'What to do when the spread cannot be met: "DoNotSchedule" or "ScheduleAnyway".',
    },
  },

  // ---- workloads and other served kinds ----
  [`${CORE}.PodTemplateSpec`]: {
    description: 'A template for the pods a controller creates.',
    fields: { metadata: 'Metadata given to every pod made from the template, labels included.', spec: 'The spec of every pod made from the template.' },
  },
  [`${APPS}.DeploymentSpec`]: {
    description: 'The desired state of a Deployment.',
    fields: {
      minReadySeconds: seconds('How long a new pod must be ready, without crashing, before it counts as available. Defaults to 0'),
      paused: 'Whether rollouts are paused: changes to the template are not rolled out until resumed.',
      progressDeadlineSeconds: seconds('How long a rollout may make no progress before it is reported as failed. Defaults to 600'),
      replicas: 'How many pods to run. Defaults to 1.',
      revisionHistoryLimit: 'How many old ReplicaSets to keep for rollback. Defaults to 10.',
      selector: 'Which pods belong to the Deployment. Must match the template\'s labels and cannot change after creation.',
      strategy: 'How old pods are replaced by new ones.',
      template: 'The pods to run.',
    },
  },
  [`${APPS}.DeploymentStrategy`]: {
    description: 'How a Deployment replaces old pods with new ones.',
    fields: {
      rollingUpdate: 'Pacing of a RollingUpdate.',
      type: '"RollingUpdate" (the default) replaces pods gradually; "Recreate" deletes all old pods before creating new ones.',
    },
  },
  [`${APPS}.RollingUpdateDeployment`]: {
    description: 'The pace of a rolling update.',
    fields: {
      maxSurge: 'How many pods may exist above the desired count during the update: a number or a percentage. Defaults to 25%.',
      maxUnavailable: 'How many pods may be unavailable during the update: a number or a percentage. Defaults to 25%.',
    },
  },
  [`${APPS}.DeploymentStatus`]: {
    description: 'The observed state of a Deployment.',
    fields: {
      availableReplicas: 'Pods that have been ready for at least minReadySeconds.',
      collisionCount: 'Counts hash collisions of the template, used to name ReplicaSets uniquely.',
      conditions: 'Conditions such as Available and Progressing.',
      observedGeneration: 'The generation of the Deployment the controller last acted on.',
      readyReplicas: 'Pods that are ready.',
      replicas: 'Pods that belong to the Deployment.',
      unavailableReplicas: 'Pods still needed for the Deployment to be fully available.',
      updatedReplicas: 'Pods made from the current template.',
    },
  },
  [`${APPS}.ReplicaSetSpec`]: {
    description: 'The desired state of a ReplicaSet.',
    fields: {
      minReadySeconds: seconds('How long a new pod must be ready before it counts as available'),
      replicas: 'How many pods to run. Defaults to 1.',
      selector: 'Which pods belong to the ReplicaSet. Must match the template\'s labels.',
      template: 'The pods to create when too few match the selector.',
    },
  },
  [`${APPS}.StatefulSetSpec`]: {
    description: 'The desired state of a StatefulSet.',
    fields: {
      minReadySeconds: seconds('How long a new pod must be ready before it counts as available. Defaults to 0'),
      ordinals: 'Where the numbering of the pods starts.',
      persistentVolumeClaimRetentionPolicy: 'Whether the claims made from volumeClaimTemplates are kept or deleted when the StatefulSet is deleted or scaled down.',
      podManagementPolicy: 'Whether pods are created and deleted one at a time in order ("OrderedReady", the default) or all at once ("Parallel").',
      replicas: 'How many pods to run. Defaults to 1.',
      revisionHistoryLimit: 'How many old revisions (ControllerRevisions) to keep for rollback. Defaults to 10.',
      selector: 'Which pods belong to the StatefulSet. Must match the template\'s labels.',
      serviceName: 'The headless service that gives the pods their stable network names.',
      template: 'The pods to run; each gets a stable name with an ordinal suffix.',
      updateStrategy: 'How pods are replaced when the template changes.',
      volumeClaimTemplates: 'PersistentVolumeClaims made for each pod, which keep their data when the pod is replaced.',
    },
  },
  [`${APPS}.DaemonSetSpec`]: {
    description: 'The desired state of a DaemonSet.',
    fields: {
      minReadySeconds: seconds('How long a new pod must be ready before it counts as available. Defaults to 0'),
      revisionHistoryLimit: 'How many old revisions (ControllerRevisions) to keep for rollback. Defaults to 10.',
      selector: 'Which pods belong to the DaemonSet. Must match the template\'s labels.',
      template: 'The pod to run on each eligible node.',
      updateStrategy: 'How pods are replaced when the template changes.',
    },
  },
  [`${BATCH}.JobSpec`]: {
    description: 'The desired state of a Job.',
    fields: {
      activeDeadlineSeconds: seconds('How long the Job may run before it is stopped and marked failed'),
      backoffLimit: 'How many retries before the Job is marked failed. Defaults to 6.',
      backoffLimitPerIndex: 'For Indexed Jobs: how many retries each index gets before that index is marked failed.',
      completionMode: '"NonIndexed" (the default): the Job is done when enough pods succeed. "Indexed": each pod gets an index from 0 to completions-1, and each index must succeed once.',
      completions: 'How many pods must finish successfully. Defaults to 1.',
      managedBy: 'The controller that manages the Job, when it is not the built-in one.',
      manualSelector: 'When true, the selector is taken as written instead of generated from the Job\'s UID. Rarely needed.',
      maxFailedIndexes: 'For Indexed Jobs with backoffLimitPerIndex: how many indexes may fail before the whole Job fails.',
      parallelism: 'How many pods may run at once. Defaults to 1.',
      podFailurePolicy: 'Rules that decide, from a failed pod\'s exit codes or conditions, whether to retry, ignore the failure or fail the Job.',
      podReplacementPolicy: 'When a replacement pod is created: "TerminatingOrFailed" (as soon as the old one starts terminating) or "Failed" (only once it has fully failed).',
      selector: 'Which pods belong to the Job. Usually generated.',
      successPolicy: 'Rules under which an Indexed Job counts as succeeded before all its indexes have.',
      suspend: 'Whether the Job is suspended: no pods are created while it is.',
      template: 'The pods to run. Their restartPolicy must be "Never" or "OnFailure".',
      ttlSecondsAfterFinished: seconds('How long a finished Job is kept before it is deleted automatically'),
    },
  },
  [`${BATCH}.CronJobSpec`]: {
    description: 'The desired state of a CronJob.',
    fields: {
      concurrencyPolicy: 'What happens when a run is due while the previous one is still going: "Allow" (the default), "Forbid" or "Replace".',
      failedJobsHistoryLimit: 'How many failed Jobs to keep. Defaults to 1.',
      jobTemplate: 'The Job to create on each run.',
      schedule: 'When to run, in cron syntax, such as "*/5 * * * *".',
      startingDeadlineSeconds: seconds('How late a missed run may still start'),
      successfulJobsHistoryLimit: 'How many successful Jobs to keep. Defaults to 3.',
      suspend: 'Whether future runs are suspended.',
      timeZone: 'The time zone of the schedule, such as "Europe/Paris". Defaults to the controller\'s.',
    },
  },
  [`${APPS}.DeploymentCondition`]: {
    description: 'One aspect of a Deployment\'s state.',
    fields: {
      lastTransitionTime: 'When the condition last changed status.',
      lastUpdateTime: 'When the condition was last updated.',
      message: 'A sentence about the condition, for people.',
      reason: 'A one-word reason for the condition\'s status, such as NewReplicaSetAvailable.',
      status: '"True", "False" or "Unknown".',
      type: '"Available" (enough pods are available), "Progressing" (the rollout moves forward, or is done) or "ReplicaFailure" (pods could not be created or deleted).',
    },
  },
  [`${APPS}.ReplicaSetStatus`]: {
    description: 'The observed state of a ReplicaSet.',
    fields: {
      availableReplicas: 'Pods that have been ready for at least minReadySeconds.',
      conditions: 'Conditions such as ReplicaFailure.',
      fullyLabeledReplicas: 'Pods whose labels match all the template\'s labels.',
      observedGeneration: 'The generation of the ReplicaSet the controller last acted on.',
      readyReplicas: 'Pods that are ready.',
      replicas: 'Pods the ReplicaSet runs now.',
    },
  },
  [`${APPS}.ReplicaSetCondition`]: {
    description: 'One aspect of a ReplicaSet\'s state.',
    fields: {
      lastTransitionTime: 'When the condition last changed status.',
      message: 'A sentence about the condition, for people.',
      reason: 'A one-word reason for the condition\'s status.',
      status: '"True", "False" or "Unknown".',
      type: 'The kind of condition, such as "ReplicaFailure".',
    },
  },
  [`${APPS}.StatefulSetUpdateStrategy`]: {
    description: 'How a StatefulSet replaces its pods when the template changes.',
    fields: {
      rollingUpdate: 'Pacing of a RollingUpdate.',
      type: '"RollingUpdate" (the default) replaces pods one by one, from the highest ordinal down; "OnDelete" replaces a pod only when you delete it.',
    },
  },
  [`${APPS}.RollingUpdateStatefulSetStrategy`]: {
    description: 'The pace of a StatefulSet\'s rolling update.',
    fields: {
      maxUnavailable: 'How many pods may be unavailable during the update: a number or a percentage. Defaults to 1.',
      partition: 'Only pods with an ordinal at or above this number are updated; the others keep the old template. Defaults to 0.',
    },
  },
  [`${APPS}.StatefulSetPersistentVolumeClaimRetentionPolicy`]: {
    description: 'What happens to the claims made from volumeClaimTemplates.',
    fields: {
      whenDeleted: 'When the StatefulSet is deleted: "Retain" (the default) keeps the claims, "Delete" deletes them.',
      whenScaled: 'When the StatefulSet is scaled down: "Retain" (the default) keeps the claims of removed pods, "Delete" deletes them.',
    },
  },
  [`${APPS}.StatefulSetOrdinals`]: {
    description: 'How a StatefulSet numbers its pods.',
    fields: { start: 'The number of the first pod. Defaults to 0.' },
  },
  [`${APPS}.StatefulSetStatus`]: {
    description: 'The observed state of a StatefulSet.',
    fields: {
      availableReplicas: 'Pods that have been ready for at least minReadySeconds.',
      collisionCount: 'Counts hash collisions of revision names.',
      conditions: 'Conditions about the StatefulSet.',
      currentReplicas: 'Pods running the revision in currentRevision.',
      currentRevision: 'The revision the pods below the partition run.',
      observedGeneration: 'The generation of the StatefulSet the controller last acted on.',
      readyReplicas: 'Pods that are ready.',
      replicas: 'Pods the StatefulSet runs now.',
      updateRevision: 'The revision made from the current template.',
      updatedReplicas: 'Pods running the revision in updateRevision.',
    },
  },
  [`${APPS}.StatefulSetCondition`]: {
    description: 'One aspect of a StatefulSet\'s state.',
    fields: {
      lastTransitionTime: 'When the condition last changed status.',
      message: 'A sentence about the condition, for people.',
      reason: 'A one-word reason for the condition\'s status.',
      status: '"True", "False" or "Unknown".',
      type: 'The kind of condition.',
    },
  },
  [`${APPS}.DaemonSetUpdateStrategy`]: {
    description: 'How a DaemonSet replaces its pods when the template changes.',
    fields: {
      rollingUpdate: 'Pacing of a RollingUpdate.',
      type: '"RollingUpdate" (the default) replaces pods node by node; "OnDelete" replaces a pod only when you delete it.',
    },
  },
  [`${APPS}.RollingUpdateDaemonSet`]: {
    description: 'The pace of a DaemonSet\'s rolling update.',
    fields: {
      maxSurge: 'How many nodes may run an old and a new pod side by side during the update: a number or a percentage. Defaults to 0.',
      maxUnavailable: 'How many nodes may be without an available pod during the update: a number or a percentage. Defaults to 1.',
    },
  },
  [`${APPS}.DaemonSetStatus`]: {
    description: 'The observed state of a DaemonSet.',
    fields: {
      collisionCount: 'Counts hash collisions of revision names.',
      conditions: 'Conditions about the DaemonSet.',
      currentNumberScheduled: 'Nodes that run at least one daemon pod and should.',
      desiredNumberScheduled: 'Nodes that should run the daemon pod.',
      numberAvailable: 'Nodes whose daemon pod has been ready for at least minReadySeconds.',
      numberMisscheduled: 'Nodes that run the daemon pod but should not.',
      numberReady: 'Nodes whose daemon pod is ready.',
      numberUnavailable: 'Nodes that should run an available daemon pod but do not.',
      observedGeneration: 'The generation of the DaemonSet the controller last acted on.',
      updatedNumberScheduled: 'Nodes that run the daemon pod of the current template.',
    },
  },
  [`${APPS}.DaemonSetCondition`]: {
    description: 'One aspect of a DaemonSet\'s state.',
    fields: {
      lastTransitionTime: 'When the condition last changed status.',
      message: 'A sentence about the condition, for people.',
      reason: 'A one-word reason for the condition\'s status.',
      status: '"True", "False" or "Unknown".',
      type: 'The kind of condition.',
    },
  },
  [`${BATCH}.JobStatus`]: {
    description: 'The observed state of a Job.',
    fields: {
      active: 'Pods that are running or waiting to run.',
      completedIndexes: 'For Indexed Jobs: the indexes that have succeeded, as a list of ranges such as "1,3-5".',
      completionTime: 'When the Job finished successfully.',
      conditions: 'Conditions such as Complete, Failed and Suspended.',
      failed: 'Pods that ended in failure.',
      failedIndexes: 'For Indexed Jobs with backoffLimitPerIndex: the indexes that failed.',
      ready: 'Pods that are ready.',
      startTime: 'When the controller started working on the Job.',
      succeeded: 'Pods that finished successfully.',
      terminating: 'Pods that are being stopped.',
      uncountedTerminatedPods: 'Finished pods the controller has seen but not yet counted in succeeded or failed.',
    },
  },
  [`${BATCH}.JobCondition`]: {
    description: 'One aspect of a Job\'s state.',
    fields: {
      lastProbeTime: 'When the condition was last checked.',
      lastTransitionTime: 'When the condition last changed status.',
      message: 'A sentence about the condition, for people.',
      reason: 'A one-word reason for the condition\'s status, such as BackoffLimitExceeded.',
      status: '"True", "False" or "Unknown".',
      type: '"Complete", "Failed", "Suspended", "FailureTarget" or "SuccessCriteriaMet".',
    },
  },
  [`${BATCH}.JobTemplateSpec`]: {
    description: 'A template for the Jobs a CronJob creates.',
    fields: { metadata: 'Metadata given to every Job made from the template.', spec: 'The spec of every Job made from the template.' },
  },
  [`${BATCH}.CronJobStatus`]: {
    description: 'The observed state of a CronJob.',
    fields: {
      active: 'The Jobs of this CronJob that are running.',
      lastScheduleTime: 'When a Job was last created.',
      lastSuccessfulTime: 'When a Job last finished successfully.',
    },
  },
  'io.k8s.api.autoscaling.v1.Scale': {
    description: 'The replica count of a scalable object (a Deployment, ReplicaSet or StatefulSet), read and written through its scale subresource, as kubectl scale does.',
    fields: { spec: 'The desired replica count.', status: 'The current replica count and the selector of the pods.' },
  },
  'io.k8s.api.autoscaling.v1.ScaleSpec': { description: 'The desired replica count.', fields: { replicas: 'How many replicas the object should run.' } },
  'io.k8s.api.autoscaling.v1.ScaleStatus': {
    description: 'The observed replica count.',
    fields: { replicas: 'How many replicas the object runs now.', selector: 'The label selector of the object\'s pods, in string form such as "app=web".' },
  },
  [`${CORE}.NamespaceSpec`]: { description: 'The desired state of a namespace.', fields: { finalizers: 'Cleanup steps that must finish before the namespace is removed.' } },
  [`${CORE}.NamespaceStatus`]: {
    description: 'The observed state of a namespace.',
    fields: { conditions: 'Conditions about the namespace, mostly about its deletion.', phase: '"Active", or "Terminating" once deletion has been requested.' },
  },
  [`${CORE}.NodeSpec`]: {
    description: 'How a node is configured.',
    fields: {
      podCIDR: 'The pod IP range assigned to the node.',
      podCIDRs: 'The pod IP ranges assigned to the node, one per address family.',
      providerID: 'The node\'s ID with its cloud provider.',
      taints: 'Taints that keep pods without a matching toleration off the node.',
      unschedulable: 'When true, no new pods are scheduled to the node (kubectl cordon).',
    },
  },
  [`${CORE}.Taint`]: {
    description: 'Marks a node so that pods without a matching toleration avoid it.',
    fields: {
      effect: 'What happens to pods that do not tolerate the taint: "NoSchedule", "PreferNoSchedule" or "NoExecute".',
      key: 'The taint key.',
      timeAdded: 'When a NoExecute taint was added.',
      value: 'The taint value.',
    },
  },

  // ---- metadata ----
  [`${META}.ObjectMeta`]: {
    description: 'Metadata that every stored object has, whatever its kind.',
    fields: {
      annotations: 'Arbitrary key/value strings for tools and people. Not used to select objects.',
      creationTimestamp: 'When the server created the object (RFC 3339, UTC). Set by the system; read-only.',
      deletionGracePeriodSeconds: seconds('How long the object has left to shut down gracefully once deletion was requested. Set by the system'),
      deletionTimestamp: 'When the object will be deleted: set by the server when deletion is requested. The object remains until its finalizers are gone. Read-only.',
      finalizers: 'Names of cleanup steps that must finish before the object is removed from storage. Each controller removes its own entry when done.',
      generateName: 'A prefix from which the server makes a unique name, used when name is empty.',
      generation: 'A number the server increments whenever the desired state (usually spec) changes. Read-only.',
      labels: 'Key/value strings used to organize and select objects, for example by services and controllers.',
      managedFields: 'Which manager last set which fields, for server-side apply. Rarely of interest to users.',
      name: 'The object\'s name, unique among objects of its kind in its namespace. Cannot be changed.',
      namespace: 'The namespace the object lives in. Empty for cluster-scoped objects; defaults to "default" for namespaced ones.',
      ownerReferences: 'The objects this object depends on. When every owner is deleted, the garbage collector deletes this object too.',
      resourceVersion: 'An opaque value that changes whenever the object changes, used for optimistic concurrency and watches. Set by the system.',
      selfLink: 'Deprecated and no longer set.',
      uid: 'A unique ID the server gives the object when it is created, never reused. Read-only.',
    },
  },
  [`${META}.OwnerReference`]: {
    description: 'Identifies an owner of an object. Owner and owned object must be in the same namespace, or the owner cluster-scoped.',
    fields: {
      apiVersion: 'The owner\'s API version.',
      blockOwnerDeletion: 'When true, a foreground deletion of the owner waits until this object is gone.',
      controller: 'Whether this owner is the managing controller. At most one owner may be.',
      kind: 'The owner\'s kind.',
      name: 'The owner\'s name.',
      uid: 'The owner\'s UID.',
    },
  },
  [`${META}.ManagedFieldsEntry`]: {
    description: 'The set of fields one manager owns, for server-side apply.',
    fields: {
      apiVersion: 'The API version the field set is written against.',
      fieldsType: 'The format of the field set: always "FieldsV1".',
      fieldsV1: 'The owned fields, as a trie.',
      manager: 'The manager\'s name, such as "kubectl-client-side-apply".',
      operation: 'The operation that produced the entry: "Apply" or "Update".',
      subresource: 'The subresource the update went through, if any.',
      time: 'When the manager last changed these fields.',
    },
  },
  [`${META}.LabelSelector`]: {
    description: 'A query over labels. Its parts are ANDed; an empty selector matches everything.',
    fields: { matchExpressions: 'Requirements on label values.', matchLabels: 'Labels that must be present with exactly these values.' },
  },
  [`${META}.LabelSelectorRequirement`]: {
    description: 'One requirement on a label.',
    fields: {
      key: 'The label key.',
      operator: 'How the label relates to the values: "In", "NotIn", "Exists" or "DoesNotExist".',
      values: 'The values, for In and NotIn; empty for Exists and DoesNotExist.',
    },
  },
  [`${META}.ListMeta`]: {
    description: 'Metadata of lists and other synthetic responses.',
    fields: {
      continue: 'A token for reading the next page of a paged list, when more remain.',
      remainingItemCount: 'An estimate of how many items remain after this page.',
      resourceVersion: 'The resource version the list was read at.',
      selfLink: 'Deprecated and no longer set.',
    },
  },
  [`${META}.Time`]: { description: 'A point in time, written in RFC 3339 form with second precision.' },
  [`${META}.MicroTime`]: { description: 'A point in time, written in RFC 3339 form with microsecond precision.' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    description: 'An amount, written as a number with an optional suffix: binary (Ki, Mi, Gi...), decimal (m, k, M, G...) or an exponent (e3). For example "250m" CPU is a quarter core and "64Mi" is 64 mebibytes.',
  },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { description: 'A value that is either an integer or a string, such as a port number or a port name.' },
};
