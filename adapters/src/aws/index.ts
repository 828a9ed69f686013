export { type CallCounter, countCalls } from './count-calls.js';
