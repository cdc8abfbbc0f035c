/**
 * Task queues: `ml` (surrogate training and inference), `qm` (external codes), `default` (workflow tasks and
 * light activities). A prefix (`CASCADE_TASK_QUEUE_PREFIX`) keeps several deployments, or parallel test runs,
 * apart on one namespace.
 */
export interface TaskQueues {
  default: string;
  ml: string;
  qm: string;
}

export type QueueName = keyof TaskQueues;
export const QUEUE_NAMES: QueueName[] = ['default', 'ml', 'qm'];

export function taskQueues(prefix = ''): TaskQueues {
  return { default: `${prefix}default`, ml: `${prefix}ml`, qm: `${prefix}qm` };
}

export function campaignWorkflowId(name: string): string {
  return `cascade-${name}`;
}
