// The scheduler: assigns pods to nodes through the API, as kube-scheduler does.
export { DEFAULT_SCHEDULER_NAME, Scheduler, type SchedulerOptions } from './scheduler.js';
