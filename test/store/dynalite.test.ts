// The store's contract against dynalite (in-process DynamoDB-API server).
import { startDynalite } from '../support/dynamo.ts';
import { storeContract } from './contract.ts';

storeContract('dynalite', startDynalite);
