/**
 * The README's "Deploy on AWS" guide, checked where it can be without AWS: its `osls deploy`
 * names every parameter the stack needs and none it does not read; `osls package` with exactly
 * those parameters succeeds offline (in a copy of the service, so template.test.ts's .serverless/
 * is left alone), and the values land where the guide says; the secret names, the stack outputs
 * and the retained resources it names are the template's; its `lowpower` lines run.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../lib/aws/config.ts';
import { runSecretsCommand } from '../../lib/cli/secrets-command.ts';
import { runSlackCommand } from '../../lib/cli/slack-command.ts';
import { capture } from '../cli/capture.ts';
import { commandsStartingWith, markdownSection, optionOf, paramsOf, stackParams } from './guide.ts';
import { FUNCTIONS, readTemplate, REPO, runPackage, serviceCopy, type Json, type Template } from './package.ts';

const GUIDE = markdownSection(readFileSync(join(REPO, 'README.md'), 'utf8'), 'Deploy on AWS');
const REMOVAL = GUIDE.slice(GUIDE.indexOf('### Remove it all'));
const params = stackParams();

const deploys = commandsStartingWith(GUIDE, ['npx', 'osls', 'deploy']);
const deploy = deploys[0];
const stage = optionOf(deploy ?? [], '--stage') ?? '';
const region = optionOf(deploy ?? [], '--region') ?? '';
const given = paramsOf(deploy ?? []);
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

describe('the guide\'s osls deploy command', () => {
  it('is there once, for a real stage and a region', () => {
    expect(deploys).toHaveLength(1);
    expect(stage).toMatch(/^[a-z0-9-]+$/);
    expect(stage).not.toBe('ci');
    expect(region).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
  });

  it('names every parameter the stack needs, and none the stack does not read', () => {
    expect(params.required.length).toBeGreaterThanOrEqual(8);
    const names = [...given.keys()];
    expect(params.required.filter((p) => !given.has(p)), 'missing from the guide').toEqual([]);
    expect(names.filter((p) => !params.required.includes(p) && !params.optional.includes(p)), 'unknown to serverless.yml').toEqual([]);
    for (const [k, v] of given) expect(v, k).not.toMatch(/…|<|>|\.\.\./);
  });

  it('documents every optional parameter with its default', () => {
    for (const p of params.optional) {
      const row = GUIDE.split('\n').find((l) => l.startsWith(`| \`${p}\` |`));
      expect(row, p).toBeDefined();
      if (params.defaults[p] !== undefined) expect(row, p).toContain(`\`${params.defaults[p]}\``);
    }
  });

  it('the removal runs for the same stage and region, with every parameter osls must resolve', () => {
    const removes = commandsStartingWith(GUIDE, ['npx', 'osls', 'remove']);
    expect(removes).toHaveLength(1);
    expect(optionOf(removes[0], '--stage')).toBe(stage);
    expect(optionOf(removes[0], '--region')).toBe(region);
    const r = paramsOf(removes[0]);
    expect(params.required.filter((p) => !r.has(p))).toEqual([]);
    for (const p of params.required) expect(r.get(p), p).toBe(given.get(p));
  });
});

describe('osls package with the guide\'s parameters (offline)', () => {
  let t: Template;
  let env: Record<string, Json>;
  let dir = '';
  beforeAll(async () => {
    dir = serviceCopy();
    const args = ['package', '--stage', stage, '--region', region, ...[...given].map(([k, v]) => `--param=${k}=${v}`)];
    await runPackage(240_000, { args, cwd: dir });
    t = readTemplate(join(dir, '.serverless'));
    env = t.Resources.HttpLambdaFunction.Properties!.Environment.Variables as Record<string, Json>;
  }, 250_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('puts the network parameters on the security group and the endpoints', () => {
    const sg = t.Resources.FunctionsSecurityGroup.Properties!;
    expect(sg.VpcId).toBe(given.get('vpcId'));
    const egress = sg.SecurityGroupEgress as Array<Record<string, unknown>>;
    expect(egress.find((e) => e.FromPort === 623)?.CidrIp).toBe(given.get('bmcCidr'));
    expect(egress.find((e) => e.FromPort === 443 && e.CidrIp)?.CidrIp).toBe(given.get('xapiCidr'));
    expect(egress.find((e) => e.DestinationPrefixListId)?.DestinationPrefixListId).toBe(given.get('dynamodbPrefixListId'));
    expect(t.Resources.DynamoDbEndpoint.Properties!.RouteTableIds).toEqual({ 'Fn::Split': [',', given.get('routeTableIds')] });
    expect(t.Resources.SecretsManagerEndpoint.Properties!.SubnetIds).toEqual({ 'Fn::Split': [',', given.get('subnetIds')] });
    for (const fn of ['Http', 'Scheduled', 'Worker']) expect(t.Resources[`${fn}LambdaFunction`].Properties!.VpcConfig.SubnetIds).toEqual({ 'Fn::Split': [',', given.get('subnetIds')] });
  });

  it('puts the issuer and the audience on the API\'s JWT authorizer', () => {
    const authorizers = Object.values(t.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0].Properties!.JwtConfiguration).toEqual({ Issuer: given.get('jwtIssuer'), Audience: [given.get('jwtAudience')] });
  });

  it('names everything after the stage, and the functions read the Slack roles as given', () => {
    for (const fn of FUNCTIONS) expect(t.Resources[`${fn.charAt(0).toUpperCase()}${fn.slice(1)}LambdaFunction`].Properties!.FunctionName).toBe(`lowpower-${stage}-${fn}`);
    expect(t.Resources.LowpowerTable.Properties!.TableName).toBe(`lowpower-${stage}`);
    expect(env.SECRETS_PREFIX).toBe(`lowpower/${stage}/`);
    const slackEnv = t.Resources.SlackLambdaFunction.Properties!.Environment.Variables as Record<string, string>;
    if (given.has('slackRoles')) {
      expect(slackEnv.SLACK_ROLES).toBe(given.get('slackRoles'));
      const roles = configFromEnv({ ...slackEnv, TABLE_NAME: 't', SCHEDULE_GROUP: 'g', SCHEDULED_FUNCTION_ARN: 'a', SCHEDULER_ROLE_ARN: 'r', WORKER_FUNCTION_NAME: 'w' }).slackRoles;
      expect(Object.keys(roles).length).toBeGreaterThan(0);
    }
  });

  it('has the outputs the guide reads (HttpApiUrl, AlarmTopicArn)', () => {
    for (const out of [...GUIDE.matchAll(/OutputKey=='([A-Za-z]+)'/g)].map((m) => m[1])) expect(t.Outputs?.[out], out).toBeDefined();
    expect(GUIDE).toContain("OutputKey=='HttpApiUrl'");
  });

  it('the secrets the guide puts are the ones the stack reads, under its prefix', () => {
    const slackEnv = t.Resources.SlackLambdaFunction.Properties!.Environment.Variables as Record<string, string>;
    const read = [slackEnv.SLACK_SECRET_REF, slackEnv.SLACK_WEBHOOK_REF];
    const ids = commandsStartingWith(GUIDE, ['aws', 'secretsmanager', 'put-secret-value']).map((w) => optionOf(w, '--secret-id'));
    expect(ids.sort()).toEqual(read.map((r) => `${env.SECRETS_PREFIX as string}${r}`).sort());
    expect(t.Resources.SlackSigningSecret.Properties!.Name).toBe(`${env.SECRETS_PREFIX as string}${slackEnv.SLACK_SECRET_REF}`);
  });

  it('the removal names exactly what the template keeps, and deletes it by those names', () => {
    const retained = Object.entries(t.Resources).filter(([, r]) => r.DeletionPolicy === 'Retain');
    expect(retained.map(([id]) => id).sort()).toEqual(['LowpowerTable', 'SlackSigningSecret', 'SlackWebhookSecret']);
    for (const [id, r] of retained) expect(REMOVAL, id).toContain(String(r.Properties!.TableName ?? r.Properties!.Name));
    expect(REMOVAL).toContain(`--table-name ${String(t.Resources.LowpowerTable.Properties!.TableName)}`);
    expect(REMOVAL).toContain(`Values=${env.SECRETS_PREFIX as string}`);
  });
});

describe('the guide\'s lowpower commands', () => {
  const API = 'https://abc123.execute-api.eu-central-1.amazonaws.com';
  const fill = (words: string[]): string[] => words.slice(2).map((w) => w.replace('$API', API));

  it('slack manifest renders for the API, as valid YAML', async () => {
    const lines = commandsStartingWith(GUIDE, ['npx', 'lowpower', 'slack', 'manifest']);
    expect(lines).toHaveLength(1);
    const words = fill(lines[0]);
    const redirect = words.indexOf('>');
    const r = await capture(() => runSlackCommand(words.slice(1, redirect < 0 ? undefined : redirect)));
    expect(r.code, r.err).toBe(0);
    const m = yaml.load(r.out) as { features: { slash_commands: Array<{ url: string }> } };
    expect(m.features.slash_commands[0].url).toBe(`${API}/slack/commands`);
  });

  it('secrets put writes the names the stack reads, for the guide\'s stage', async () => {
    const lines = commandsStartingWith(GUIDE, ['npx', 'lowpower', 'secrets', 'put']);
    expect(lines.length).toBeGreaterThan(0);
    const sm = mockClient(SecretsManagerClient);
    sm.on(PutSecretValueCommand).resolves({});
    const dir = mkdtempSync(join(tmpdir(), 'lowpower-guide-'));
    writeFileSync(join(dir, 'value'), 'not-a-real-secret\n');
    try {
      for (const line of lines) {
        let argv = fill(line).slice(1);
        const redirect = argv.indexOf('<');
        if (redirect >= 0) argv = argv.slice(0, redirect);
        argv = argv.map((w, i) => (argv[i - 1] === '--file' ? join(dir, 'value') : w));
        let err = '';
        const code = await runSecretsCommand(argv, { stdin: async () => 'not-a-real-secret\n', out: () => undefined, err: (l) => void (err += l) });
        expect(code, `${line.join(' ')}: ${err}`).toBe(0);
        expect(err, 'a ref lowpower does not read').toBe('');
      }
      expect(sm.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input.SecretId).sort()).toEqual([`lowpower/${stage}/slack-signing-secret`, `lowpower/${stage}/slack-webhook-url`]);
    } finally {
      sm.restore();
    }
  });
});
