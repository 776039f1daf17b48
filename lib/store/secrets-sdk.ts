/**
 * The parts of the Secrets Manager SDK the secrets port uses, apart from the port: the AWS wiring
 * loads this module on the first secret read or write (a dynamic import), so a cold start that
 * reads no secret does not compile the SDK; the Slack function, tests and the CLI pass it ready-made.
 */
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const commands = { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand };

/** A client and the commands the port sends through it. */
export interface SecretsSdk {
  client: SecretsManagerClient;
  commands: typeof commands;
}

/** The SDK for the port, on the given client (by default one for this Lambda's region and role). */
export function secretsSdk(client: SecretsManagerClient = new SecretsManagerClient({})): SecretsSdk {
  return { client, commands };
}
