import { validateHeaderName, validateHeaderValue } from 'node:http';
import { status } from '@grpc/grpc-js';
import {
  type Attempt,
  HTTP_METHODS,
  type HttpMethod,
  type HttpTarget,
  type QueueRecord,
  type TaskRecord,
} from './model.ts';
import { invalid, RpcError } from './rpc-error.ts';
import type { NewTask, SettingsPatch } from './state.ts';
import { burstSize } from './token-bucket.ts';

/**
 * Between proto messages (as @grpc/proto-loader decodes them: camelCase fields, enums as names, int64 as
 * numbers, Buffers for bytes) and the emulator's records.
 */

export interface ProtoTimestamp {
  seconds?: number | string;
  nanos?: number;
}
type ProtoDuration = ProtoTimestamp;

export interface ProtoHttpRequest {
  url?: string;
  httpMethod?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  oidcToken?: { serviceAccountEmail?: string; audience?: string };
  oauthToken?: { serviceAccountEmail?: string; scope?: string };
}

export interface ProtoTask {
  name?: string;
  httpRequest?: ProtoHttpRequest;
  appEngineHttpRequest?: unknown;
  scheduleTime?: ProtoTimestamp;
  dispatchDeadline?: ProtoDuration;
}

export interface ProtoQueue {
  name?: string;
  rateLimits?: { maxDispatchesPerSecond?: number; maxConcurrentDispatches?: number };
  retryConfig?: {
    maxAttempts?: number;
    maxRetryDuration?: ProtoDuration;
    minBackoff?: ProtoDuration;
    maxBackoff?: ProtoDuration;
    maxDoublings?: number;
  };
}

const toMs = (value: ProtoTimestamp | undefined) =>
  value === undefined ? undefined : Number(value.seconds ?? 0) * 1000 + Math.floor((value.nanos ?? 0) / 1e6);
const toSeconds = (value: ProtoDuration | undefined) =>
  value === undefined ? undefined : toMs(value)! / 1000;

export function timestamp(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

export function newTaskFromProto(task: ProtoTask | undefined): NewTask {
  if (!task) throw invalid('task is required');
  if (task.appEngineHttpRequest) {
    throw new RpcError(status.UNIMPLEMENTED, 'The emulator dispatches HTTP targets only (httpRequest)');
  }
  const request = task.httpRequest;
  if (!request?.url) throw invalid('Task.http_request.url is required');
  return {
    name: task.name || undefined,
    httpRequest: httpTargetFromProto(request),
    scheduleTime: toMs(task.scheduleTime),
    dispatchDeadlineMs: toMs(task.dispatchDeadline),
  };
}

function httpTargetFromProto(request: ProtoHttpRequest): HttpTarget {
  const method =
    request.httpMethod && request.httpMethod !== 'HTTP_METHOD_UNSPECIFIED' ? request.httpMethod : 'POST';
  if (!HTTP_METHODS.includes(method as HttpMethod)) throw invalid(`Unknown http_method ${method}`);
  const headers = request.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      throw invalid(`Invalid header "${name}"`);
    }
  }
  const target: HttpTarget = {
    url: request.url ?? '',
    httpMethod: method as HttpMethod,
    headers,
    body: request.body ?? Buffer.alloc(0),
  };
  if (request.oidcToken) {
    if (!request.oidcToken.serviceAccountEmail) throw invalid('oidc_token.service_account_email is required');
    target.oidcToken = {
      serviceAccountEmail: request.oidcToken.serviceAccountEmail,
      audience: request.oidcToken.audience || undefined,
    };
  }
  if (request.oauthToken?.serviceAccountEmail) {
    target.oauthToken = {
      serviceAccountEmail: request.oauthToken.serviceAccountEmail,
      scope: request.oauthToken.scope,
    };
  }
  return target;
}

/** Fields of a Queue message named by an update mask (snake_case or camelCase, section or sub-field). */
export function settingsPatchFromProto(queue: ProtoQueue, maskPaths: string[] | undefined): SettingsPatch {
  const rate = queue.rateLimits ?? {};
  const retry = queue.retryConfig ?? {};
  const all: Record<string, Record<string, number | undefined>> = {
    rateLimits: {
      maxDispatchesPerSecond: rate.maxDispatchesPerSecond,
      maxConcurrentDispatches: rate.maxConcurrentDispatches,
    },
    retryConfig: {
      maxAttempts: retry.maxAttempts,
      maxRetryDurationSeconds: toSeconds(retry.maxRetryDuration),
      minBackoffSeconds: toSeconds(retry.minBackoff),
      maxBackoffSeconds: toSeconds(retry.maxBackoff),
      maxDoublings: retry.maxDoublings,
    },
  };
  const wanted = maskPaths?.length ? maskPaths.map(camelCase) : undefined;
  const patch: Record<string, Record<string, number>> = { rateLimits: {}, retryConfig: {} };
  for (const [section, fields] of Object.entries(all)) {
    for (const [field, value] of Object.entries(fields)) {
      // proto3 cannot tell 0 from unset; an unset field keeps the current value, like Google's default.
      if (value === undefined || value === 0) continue;
      const protoField = field.replace(/Seconds$/, '');
      const named = !wanted || wanted.includes(section) || wanted.includes(`${section}.${protoField}`);
      if (named) patch[section]![field] = value;
    }
  }
  return patch;
}

const camelCase = (path: string) => path.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

const duration = (seconds: number) => timestamp(seconds * 1000);

export function queueToProto(queue: QueueRecord) {
  const { rateLimits, retryConfig } = queue.settings;
  return {
    name: queue.name,
    rateLimits: { ...rateLimits, maxBurstSize: burstSize(rateLimits.maxDispatchesPerSecond) },
    retryConfig: {
      maxAttempts: retryConfig.maxAttempts,
      maxRetryDuration: duration(retryConfig.maxRetryDurationSeconds),
      minBackoff: duration(retryConfig.minBackoffSeconds),
      maxBackoff: duration(retryConfig.maxBackoffSeconds),
      maxDoublings: retryConfig.maxDoublings,
    },
    state: queue.state,
    purgeTime: queue.purgeTime === undefined ? undefined : timestamp(queue.purgeTime),
  };
}

const attemptToProto = (attempt: Attempt | undefined, full: boolean) =>
  attempt && {
    dispatchTime: timestamp(attempt.dispatchTime),
    ...(full && {
      scheduleTime: timestamp(attempt.scheduleTime),
      responseTime: attempt.responseTime === undefined ? undefined : timestamp(attempt.responseTime),
      responseStatus: attempt.responseStatus,
    }),
  };

/** BASIC (the default view) leaves out the body, which can be large or sensitive (task.proto, View). */
export function taskToProto(task: TaskRecord, view: string | undefined) {
  const full = view === 'FULL';
  const { url, httpMethod, headers, body, oidcToken, oauthToken } = task.httpRequest;
  return {
    name: task.name,
    httpRequest: { url, httpMethod, headers, body: full ? body : undefined, oidcToken, oauthToken },
    scheduleTime: timestamp(task.scheduleTime),
    createTime: timestamp(task.createTime),
    dispatchDeadline: duration(task.dispatchDeadlineMs / 1000),
    dispatchCount: task.dispatchCount,
    responseCount: task.responseCount,
    firstAttempt: attemptToProto(task.firstAttempt, false),
    lastAttempt: attemptToProto(task.lastAttempt, true),
    view: full ? 'FULL' : 'BASIC',
  };
}
