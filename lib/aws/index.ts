/** lib/aws: the AWS wiring of the Lambda functions (clients, logger, handlers). */
export { httpEvent, makeHttpHandler } from './http-handler.ts';
export { makeSlackHandler } from './slack-handler.ts';
