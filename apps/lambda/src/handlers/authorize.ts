import type { Logger } from '@aws-lambda-powertools/logger';
import type { Route } from '@pushline/core';
import { compose } from '../composition/entries/authorize.js';
import { TOKENS } from '../composition/tokens.js';
import { routeFrame } from '../route-frame.js';
import type { WebSocketHandler } from '../events.js';

const container = compose();
const route = container.get<Route>(TOKENS.Route);
const logger = container.get<Logger>(TOKENS.Logger);

export const handler: WebSocketHandler = (event, context) => routeFrame(route, logger, event, context);
