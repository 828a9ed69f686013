export { InMemoryDeadlineScheduler } from './in-memory-deadline-scheduler.js';
export { InMemoryExportRepository } from './in-memory-export-repository.js';
export { InMemoryConnectionPusher, type OpenOptions, type PushFault } from './in-memory-connection-pusher.js';
export { InMemoryConnectionRepository, MAX_MEMORY_PAGE_SIZE } from './in-memory-connection-repository.js';
export { InMemoryMessageQueue, type SendFault } from './in-memory-message-queue.js';
export {
  type DeadLetter,
  InMemoryQueue,
  type InMemoryQueueOptions,
  type ReceivedMessage,
} from './in-memory-queue.js';
export { InMemoryTokenVerifier } from './in-memory-token-verifier.js';
export { ManualClock } from './manual-clock.js';
export {
  InMemoryNotificationStream,
  type InMemoryNotificationStreamOptions,
} from './in-memory-notification-stream.js';
