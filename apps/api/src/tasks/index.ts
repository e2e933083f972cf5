/** The task queue port (ARCHITECTURE §1) as the capabilities that enqueue and handle tasks see it. */
export {
  type TaskContext,
  type TaskDispatcher,
  type TaskQueue,
  type TaskRequest,
  type TaskResult,
  taskName,
} from './task-queue.ts';
export { routeTasks, type TaskHandlers } from './task-router.ts';
