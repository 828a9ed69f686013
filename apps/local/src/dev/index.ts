export {
  type AwsCall,
  type AwsFault,
  type AwsFaultHook,
  type AwsFaultProxy,
  type AwsService,
  startAwsFaultProxy,
} from './aws-faults.js';
export { DEV_ENV, type DevAuthMode, type DevConfig, loadDevConfig } from './config.js';
export { type HttpApi, type HttpApiOptions, type HttpRoute, startHttpApi } from './http-api.js';
export {
  createQueueWithDeadLetter,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalAws,
  type LocalQueue,
  startLocalAws,
} from './local-aws.js';
export {
  type BatchReport,
  type SqsPoller,
  type SqsPollerOptions,
  type SqsRecord,
  startSqsPoller,
} from './sqs-poller.js';
export { type DevStack, type DevStackOptions, LOCAL_RESOURCES, startDevStack } from './stack.js';
