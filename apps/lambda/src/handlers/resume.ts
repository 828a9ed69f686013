import type { Logger } from '@aws-lambda-powertools/logger';
import { replyOutcomeOf, type Route, type RouteOutcome } from '@pushline/core';
import { compose } from '../composition/entries/resume.js';
import { TOKENS } from '../composition/tokens.js';
import { deliveryMetrics } from '../metrics.js';
import { routeFrame } from '../route-frame.js';
import type { WebSocketHandler } from '../events.js';

const container = compose();
const route = container.get<Route>(TOKENS.Route);
const logger = container.get<Logger>(TOKENS.Logger);

const metrics = deliveryMetrics();

/** Counts a resume as recovered or not (one EMF line per resume, no API call). */
function countResume(outcome: RouteOutcome): void {
  const counted = replyOutcomeOf(outcome.reply);
  if (counted === null) return;
  metrics.count(counted);
  metrics.publish();
}

export const handler: WebSocketHandler = (event, context) =>
  routeFrame(route, logger, event, context, countResume);
