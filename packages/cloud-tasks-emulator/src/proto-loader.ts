import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  type GrpcObject,
  loadPackageDefinition,
  type ServiceClientConstructor,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/**
 * The service definition comes from the protos shipped inside @google-cloud/tasks, so the emulator speaks
 * exactly the API version the product's client was generated from. The google/api, google/iam and
 * google/protobuf imports resolve against the common protos google-gax ships.
 */
export function loadCloudTasksService(): ServiceDefinition {
  // Parsing the protos takes tens of ms; tests start many emulators in one process.
  cached ??= loadService();
  return cached;
}

let cached: ServiceDefinition | undefined;

function loadService(): ServiceDefinition {
  const require = createRequire(import.meta.url);
  const tasksRoot = packageRoot(require.resolve('@google-cloud/tasks'), '@google-cloud/tasks');
  const gaxRoot = packageRoot(
    createRequire(join(tasksRoot, 'package.json')).resolve('google-gax'),
    'google-gax',
  );
  const definition = loadSync('google/cloud/tasks/v2/cloudtasks.proto', {
    includeDirs: [join(tasksRoot, 'build', 'protos'), join(gaxRoot, 'build', 'protos')],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const root = loadPackageDefinition(definition);
  const v2 = ((root.google as GrpcObject).cloud as GrpcObject).tasks as GrpcObject;
  return ((v2.v2 as GrpcObject).CloudTasks as ServiceClientConstructor).service;
}

/** The folder of package `name` that holds `entry` (its main file sits a few levels down, under build/). */
function packageRoot(entry: string, name: string): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === name) return dir;
  }
  throw new Error(`Cannot find the ${name} package above ${entry}`);
}
