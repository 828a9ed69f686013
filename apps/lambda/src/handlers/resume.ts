import type { Logger } from '@aws-lambda-powertools/logger';
import type { Route } from '@pushline/core';
import { loadConfig } from '../composition/config.js';
import { createContainer } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import { routeFrame } from '../route-frame.js';
import type { WebSocketHandler } from '../events.js';

const container = createContainer(loadConfig('resume'));
const route = container.get<Route>(TOKENS.ResumeRoute);
const logger = container.get<Logger>(TOKENS.Logger);

export const handler: WebSocketHandler = (event, context) => routeFrame(route, logger, event, context);
