import { randomBytes } from 'node:crypto';
import { QUEUE_NAME } from './options.ts';
import { invalid } from './rpc-error.ts';

/** `projects/P/locations/L` — the parent of CreateQueue and ListQueues. */
const LOCATION_NAME = /^projects\/[A-Za-z0-9:.-]+\/locations\/[A-Za-z0-9_-]+$/;
/** Cloud Tasks: task ids are letters, digits, hyphens and underscores, at most 500 characters. */
const TASK_ID = /^[A-Za-z0-9_-]{1,500}$/;

export function checkLocationName(name: string): string {
  if (!LOCATION_NAME.test(name))
    throw invalid(`Invalid resource field value in the request: parent "${name}"`);
  return name;
}

export function checkQueueName(name: string): string {
  if (!QUEUE_NAME.test(name))
    throw invalid(`Invalid resource field value in the request: queue name "${name}"`);
  return name;
}

/** The queue's last segment, which Cloud Tasks sends as `X-CloudTasks-QueueName`. */
export const shortQueueId = (queueName: string) => queueName.slice(queueName.lastIndexOf('/') + 1);

/** The task's last segment, which Cloud Tasks sends as `X-CloudTasks-TaskName`. */
export const shortTaskId = (taskName: string) => taskName.slice(taskName.lastIndexOf('/') + 1);

/** A task name must sit under the queue it is created in and end in a valid id. */
export function checkTaskName(queueName: string, taskName: string): string {
  const prefix = `${queueName}/tasks/`;
  if (!taskName.startsWith(prefix) || !TASK_ID.test(taskName.slice(prefix.length))) {
    throw invalid(
      `Task name must be formatted "${prefix}TASK_ID" where TASK_ID is [A-Za-z0-9_-]{1,500}: "${taskName}"`,
    );
  }
  return taskName;
}

/** Google generates long numeric ids; random digits keep generated names from hot-spotting like ours. */
export function generateTaskName(queueName: string): string {
  const digits = [...randomBytes(19)].map((byte) => String(byte % 10)).join('');
  return `${queueName}/tasks/${digits.replace(/^0/, '1')}`;
}
