import {
  type ServerUnaryCall,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  newTaskFromProto,
  type ProtoQueue,
  type ProtoTask,
  queueToProto,
  settingsPatchFromProto,
  taskToProto,
} from './proto-convert.ts';
import { RpcError } from './rpc-error.ts';
import type { CloudTasksState } from './state.ts';

interface Paged {
  pageSize?: number;
  pageToken?: string;
}

/** Page tokens are offsets: enough for an emulator whose lists change only as tests make them. */
function page<T>(items: T[], request: Paged, maxSize: number) {
  const offset = request.pageToken ? Number(request.pageToken) : 0;
  if (!Number.isInteger(offset) || offset < 0)
    throw new RpcError(status.INVALID_ARGUMENT, 'Invalid page_token');
  const size = Math.min(request.pageSize || maxSize, maxSize);
  const slice = items.slice(offset, offset + size);
  const next = offset + size < items.length ? String(offset + size) : '';
  return { slice, nextPageToken: next };
}

/** Wraps a synchronous handler: RpcErrors keep their code, anything else becomes INTERNAL. */
function unary<Req>(handler: (request: Req) => unknown) {
  return (call: ServerUnaryCall<Req, unknown>, callback: sendUnaryData<unknown>) => {
    try {
      callback(null, handler(call.request));
    } catch (error) {
      const code = error instanceof RpcError ? error.code : status.INTERNAL;
      callback({ code, details: error instanceof Error ? error.message : String(error) });
    }
  };
}

/** google.cloud.tasks.v2.CloudTasks, minus the IAM methods (gRPC answers UNIMPLEMENTED for those). */
export function cloudTasksHandlers(state: CloudTasksState): UntypedServiceImplementation {
  return {
    createQueue: unary((req: { parent: string; queue?: ProtoQueue }) => {
      const queue = req.queue ?? {};
      return queueToProto(
        state.createQueue(queue.name ?? '', settingsPatchFromProto(queue, undefined), req.parent),
      );
    }),
    getQueue: unary((req: { name: string }) => queueToProto(state.queue(req.name))),
    listQueues: unary((req: { parent: string } & Paged) => {
      const { slice, nextPageToken } = page(state.listQueues(req.parent), req, 9800);
      return { queues: slice.map(queueToProto), nextPageToken };
    }),
    updateQueue: unary((req: { queue?: ProtoQueue; updateMask?: { paths?: string[] } }) => {
      const queue = req.queue ?? {};
      return queueToProto(
        state.updateQueue(queue.name ?? '', settingsPatchFromProto(queue, req.updateMask?.paths)),
      );
    }),
    deleteQueue: unary((req: { name: string }) => {
      state.deleteQueue(req.name);
      return {};
    }),
    purgeQueue: unary((req: { name: string }) => queueToProto(state.purgeQueue(req.name))),
    pauseQueue: unary((req: { name: string }) => queueToProto(state.setQueueState(req.name, 'PAUSED'))),
    resumeQueue: unary((req: { name: string }) => queueToProto(state.setQueueState(req.name, 'RUNNING'))),
    createTask: unary((req: { parent: string; task?: ProtoTask; responseView?: string }) =>
      taskToProto(state.createTask(req.parent, newTaskFromProto(req.task)), req.responseView),
    ),
    getTask: unary((req: { name: string; responseView?: string }) =>
      taskToProto(state.task(req.name).task, req.responseView),
    ),
    listTasks: unary((req: { parent: string; responseView?: string } & Paged) => {
      const tasks = [...state.queue(req.parent).tasks.values()];
      const { slice, nextPageToken } = page(tasks, req, 1000);
      return { tasks: slice.map((task) => taskToProto(task, req.responseView)), nextPageToken };
    }),
    deleteTask: unary((req: { name: string }) => {
      state.deleteTask(req.name);
      return {};
    }),
    runTask: unary((req: { name: string; responseView?: string }) =>
      taskToProto(state.runTask(req.name), req.responseView),
    ),
  };
}
