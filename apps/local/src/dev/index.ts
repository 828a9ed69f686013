export { type AwsCall, type AwsFaultHook } from './aws-faults.js';
export { type DevConfig, loadDevConfig } from './config.js';
export { createQueueWithDeadLetter, drainQueue, LOCAL_REGION, startLocalAws } from './local-aws.js';
export { type BatchReport } from './sqs-poller.js';
export { type DevStack, devStackPlan, LOCAL_RESOURCES, startDevStack } from './stack.js';
