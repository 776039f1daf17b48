// The store's contract against dynalite (in-process DynamoDB-API server).
import { startDynalite } from '../support/dynamo.ts';
import { storeContract } from './contract.ts';

// dynalite has no transactions: the store's two-write fallback runs here.
storeContract('dynalite', startDynalite, { transactions: false });
