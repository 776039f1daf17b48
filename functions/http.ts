/** The HTTP API (/v1) behind API Gateway's JWT authorizer: the shared middy handler, AWS wiring. */
import { makeHttpHandler } from '../lib/aws/http-handler.ts';
import { awsApi } from '../lib/aws/api-wiring.ts';
import { libraryLog, logger, observability } from '../lib/aws/logger.ts';

export const handler = makeHttpHandler(() => awsApi(libraryLog), (entry) => logger.info('request', entry)).use(observability());
