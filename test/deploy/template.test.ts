/**
 * The deployable shape of lowpower: packages the service exactly as `npm run package` does
 * (osls package --stage ci --region eu-central-1; offline, no AWS credentials) and checks the
 * CloudFormation template and the four function artifacts against DESIGN.md (infra/, Scale):
 * the table, the scheduler group and its invoke role, the VPC wiring and its endpoints, one
 * least-privilege role per function, logs, alarms, runtime, and bundles that import and stay small.
 */
import { existsSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../lib/aws/config.ts';
import { tableDefinition, TTL_ATTRIBUTE } from '../../lib/store/table.ts';
import { readFileSync } from 'node:fs';
import {
  bundleGraph,
  SERVERLESS_DIR,
  externalImportKinds,
  FUNCTIONS,
  functionArnSub,
  functionName,
  lambdaEnv,
  logicalPrefix,
  probeImport,
  readTemplate,
  runPackage,
  SERVICE,
  STAGE,
  unzipFunction,
  zipPath,
  zipSize,
  type FunctionKey,
  type Json,
  type Resource,
  type Template,
} from './package.ts';

const MAX_ZIP_BYTES = 300 * 1024;

/** The packages serverless.yml's `custom.esbuild.exclude` leaves out of every bundle. */
function excludedFromBundles(): string[] {
  const yml = readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8');
  const block = /\n    exclude:\n((?:      - .*\n)+)/.exec(yml);
  if (!block) throw new Error('serverless.yml: no custom.esbuild.exclude list');
  return block[1].split('\n').filter(Boolean).map((l) => l.replace(/^\s*- /, '').replace(/^'|'$/g, '')).sort();
}
const GROUP = `${SERVICE}-${STAGE}`;
const VPC_FUNCTIONS: FunctionKey[] = ['http', 'scheduled', 'worker'];

let t: Template;
let packageMs = 0;

beforeAll(async () => {
  const run = await runPackage(120_000);
  packageMs = run.ms;
  t = readTemplate();
}, 130_000);

// ---- small helpers over the template ----

const res = (id: string): Resource => {
  const r = t.Resources[id];
  if (!r) throw new Error(`no resource ${id} in the template`);
  return r;
};
const ofType = (type: string): [string, Resource][] => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const arr = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const lambdaOf = (fn: FunctionKey): Resource => res(`${logicalPrefix(fn)}LambdaFunction`);
const roleIdOf = (fn: FunctionKey): string => {
  const role = lambdaOf(fn).Properties!.Role as Json;
  expect(role).toMatchObject({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
  return (role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
};

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: Json;
  Condition?: Record<string, Record<string, Json>>;
  NotAction?: unknown;
  NotResource?: unknown;
}
const statementsOf = (roleId: string): Statement[] =>
  arr(res(roleId).Properties!.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
const actionsOf = (s: Statement): string[] => arr(s.Action);
const resourcesOf = (s: Statement): Json[] => arr(s.Resource as Json | Json[]);
const sub = (s: string): Json => ({ 'Fn::Sub': s });
const json = (x: unknown): string => JSON.stringify(x);

const TABLE_ARN: Json = { 'Fn::GetAtt': ['LowpowerTable', 'Arn'] };
const INDEX_ARN: Json = sub('${LowpowerTable.Arn}/index/*');
const SCHEDULES_ARN: Json = sub(`arn:\${AWS::Partition}:scheduler:\${AWS::Region}:\${AWS::AccountId}:schedule/${GROUP}/*`);
const BMC_SECRETS_ARN: Json = sub(`arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${SERVICE}/${STAGE}/*`);
const INVOKE_ROLE_ARN: Json = { 'Fn::GetAtt': ['SchedulerInvokeRole', 'Arn'] };
const logGroupArn = (fn: FunctionKey): Json =>
  sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName(fn)}:*`);

/** Where AWS offers no resource-level permission, "*" is the only Resource that works. */
const STAR_ALLOWED = new Set([
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'scheduler:ListSchedules',
]);
const DDB_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'];
const SCHEDULER_ACTIONS = ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'];

describe('packaging', () => {
  it('runs offline and writes the template and one zip per function', () => {
    expect(packageMs).toBeGreaterThan(0);
    expect(existsSync(zipPath('http'))).toBe(true);
    const functions = ofType('AWS::Lambda::Function').map(([id]) => id).sort();
    expect(functions).toEqual(FUNCTIONS.map((f) => `${logicalPrefix(f)}LambdaFunction`).sort());
  });
});

describe('the table', () => {
  it('matches lib/store/table.ts: keys, GSI1, on-demand', () => {
    const p = res('LowpowerTable').Properties!;
    const def = tableDefinition(`${SERVICE}-${STAGE}`);
    expect(p.TableName).toBe(`${SERVICE}-${STAGE}`);
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(def.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.KeySchema).toEqual(def.KeySchema);
    expect(p.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect([...p.AttributeDefinitions].sort((a: any, b: any) => a.AttributeName.localeCompare(b.AttributeName))).toEqual(
      [...def.AttributeDefinitions!].sort((a, b) => a.AttributeName!.localeCompare(b.AttributeName!)),
    );
    expect(p.GlobalSecondaryIndexes).toEqual(def.GlobalSecondaryIndexes);
    expect(p.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'GSI1',
        KeySchema: [
          { AttributeName: 'GSI1PK', KeyType: 'HASH' },
          { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
  });

  it('has TTL on expiresAt, point-in-time recovery, encryption at rest, and is retained', () => {
    const r = res('LowpowerTable');
    expect(r.Properties!.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    expect(TTL_ATTRIBUTE).toBe('expiresAt');
    expect(r.Properties!.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(r.Properties!.SSESpecification).toMatchObject({ SSEEnabled: true });
    expect(r.DeletionPolicy).toBe('Retain');
    expect(r.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('EventBridge Scheduler', () => {
  it('has the schedule group the functions are told about', () => {
    const groups = ofType('AWS::Scheduler::ScheduleGroup');
    expect(groups).toHaveLength(1);
    expect(groups[0][1].Properties!.Name).toBe(GROUP);
    for (const fn of FUNCTIONS) expect(lambdaOf(fn).Properties!.Environment.Variables.SCHEDULE_GROUP).toBe(GROUP);
  });

  it('has an invoke role only the scheduler can assume, for this account and group', () => {
    const p = res('SchedulerInvokeRole').Properties!;
    const trust = p.AssumeRolePolicyDocument.Statement as Statement[];
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({ Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole' });
    expect(trust[0].Condition!.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(trust[0].Condition!.ArnEquals['aws:SourceArn']).toEqual({ 'Fn::GetAtt': ['ScheduleGroup', 'Arn'] });
  });

  it('lets the invoke role call the scheduled and worker functions and nothing else', () => {
    const st = statementsOf('SchedulerInvokeRole');
    expect(st).toHaveLength(1);
    expect(actionsOf(st[0])).toEqual(['lambda:InvokeFunction']);
    expect(resourcesOf(st[0])).toEqual([functionArnSub('scheduled'), functionArnSub('worker')]);
    expect(res('SchedulerInvokeRole').Properties!.ManagedPolicyArns).toBeUndefined();
  });

  it('gives the functions the targets and the role to put in schedules', () => {
    for (const fn of FUNCTIONS) {
      const env = lambdaOf(fn).Properties!.Environment.Variables;
      expect(env.SCHEDULER_ROLE_ARN).toEqual(INVOKE_ROLE_ARN);
      expect(env.SCHEDULED_FUNCTION_ARN).toEqual(functionArnSub('scheduled'));
      expect(env.WORKER_ARN).toEqual(functionArnSub('worker'));
      expect(env.WORKER_FUNCTION_NAME).toBe(functionName('worker'));
    }
  });
});

describe('network', () => {
  it('puts http, scheduled and worker in the VPC behind the functions security group, and slack outside', () => {
    for (const fn of VPC_FUNCTIONS) {
      const vpc = lambdaOf(fn).Properties!.VpcConfig;
      expect(vpc, fn).toBeDefined();
      expect(vpc.SecurityGroupIds).toEqual([{ Ref: 'FunctionsSecurityGroup' }]);
      expect(vpc.SubnetIds).toMatchObject({ 'Fn::Split': [',', expect.stringMatching(/^subnet-/)] });
    }
    expect(lambdaOf('slack').Properties!.VpcConfig).toBeUndefined();
  });

  it('lets the functions out only to the BMCs (UDP 623), XAPI and DynamoDB (HTTPS), and the endpoints', () => {
    const sg = res('FunctionsSecurityGroup').Properties!;
    expect(sg.SecurityGroupIngress ?? []).toEqual([]);
    const egress = sg.SecurityGroupEgress as Record<string, Json>[];
    expect(egress).toContainEqual(expect.objectContaining({ IpProtocol: 'udp', FromPort: 623, ToPort: 623, CidrIp: '10.20.0.0/24' }));
    expect(egress).toContainEqual(expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.10.0.0/24' }));
    expect(egress).toContainEqual(expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationPrefixListId: expect.stringMatching(/^pl-/) }));
    expect(egress).toHaveLength(3);
    const toEndpoints = ofType('AWS::EC2::SecurityGroupEgress');
    expect(toEndpoints).toHaveLength(1);
    expect(toEndpoints[0][1].Properties).toMatchObject({
      GroupId: { 'Fn::GetAtt': ['FunctionsSecurityGroup', 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      DestinationSecurityGroupId: { 'Fn::GetAtt': ['EndpointsSecurityGroup', 'GroupId'] },
    });
    expect(json(t.Resources)).not.toContain('0.0.0.0/0');
    expect(json(t.Resources)).not.toContain('::/0');
  });

  it('has the DynamoDB gateway endpoint and the scheduler, Secrets Manager and Lambda interface endpoints', () => {
    const eps = ofType('AWS::EC2::VPCEndpoint').map(([, r]) => r.Properties!);
    expect(eps).toHaveLength(4);
    const byService = new Map(eps.map((p) => [String(p.ServiceName['Fn::Sub']).replace('com.amazonaws.${AWS::Region}.', ''), p]));
    expect([...byService.keys()].sort()).toEqual(['dynamodb', 'lambda', 'scheduler', 'secretsmanager']);
    expect(byService.get('dynamodb')).toMatchObject({ VpcEndpointType: 'Gateway', RouteTableIds: { 'Fn::Split': [',', expect.stringMatching(/^rtb-/)] } });
    for (const s of ['scheduler', 'secretsmanager', 'lambda']) {
      expect(byService.get(s), s).toMatchObject({
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        SubnetIds: { 'Fn::Split': [',', expect.stringMatching(/^subnet-/)] },
        SecurityGroupIds: [{ 'Fn::GetAtt': ['EndpointsSecurityGroup', 'GroupId'] }],
      });
    }
  });

  it('lets only the functions reach the interface endpoints, on 443', () => {
    const p = res('EndpointsSecurityGroup').Properties!;
    expect(p.SecurityGroupIngress).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': ['FunctionsSecurityGroup', 'GroupId'] } }),
    ]);
    // Egress closed: one rule that matches nothing, so EC2 adds no allow-all.
    expect(p.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
  });
});

describe('IAM: one least-privilege role per function', () => {
  it('gives each function its own role, and creates no shared or managed-policy role', () => {
    const roles = FUNCTIONS.map(roleIdOf);
    expect(new Set(roles).size).toBe(FUNCTIONS.length);
    const allRoles = ofType('AWS::IAM::Role').map(([id]) => id).sort();
    expect(allRoles).toEqual([...roles, 'SchedulerInvokeRole'].sort());
    for (const id of roles) {
      const p = res(id).Properties!;
      expect(p.ManagedPolicyArns, id).toBeUndefined();
      expect(p.AssumeRolePolicyDocument.Statement).toEqual([
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
    }
  });

  it('allows no action wildcards, one known Deny only, and "*" only where AWS has no resource-level permission', () => {
    for (const fn of FUNCTIONS) {
      for (const s of statementsOf(roleIdOf(fn))) {
        if (s.Effect === 'Deny') {
          // The one Deny: the VPC functions may not read (nor http overwrite) the Slack secrets that their prefix covers.
          expect(s, fn).toEqual({ Sid: 'NotTheSlackSecrets', Effect: 'Deny', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], Resource: [{ Ref: 'SlackSigningSecret' }, { Ref: 'SlackWebhookSecret' }] });
          continue;
        }
        expect(s.Effect, `${fn} ${s.Sid}`).toBe('Allow');
        expect(s.NotAction).toBeUndefined();
        expect(s.NotResource).toBeUndefined();
        for (const a of actionsOf(s)) expect(a, `${fn} ${s.Sid}`).not.toContain('*');
        if (resourcesOf(s).includes('*')) {
          expect(resourcesOf(s), `${fn} ${s.Sid}`).toEqual(['*']);
          for (const a of actionsOf(s)) expect(STAR_ALLOWED.has(a), `${fn}: ${a} on "*"`).toBe(true);
        }
      }
    }
  });

  const stmtsWith = (fn: FunctionKey, prefix: string): Statement[] =>
    statementsOf(roleIdOf(fn)).filter((s) => actionsOf(s).some((a) => a.startsWith(prefix)));

  it('writes logs only to its own log group', () => {
    for (const fn of FUNCTIONS) {
      const st = stmtsWith(fn, 'logs:');
      expect(st, fn).toHaveLength(1);
      expect(actionsOf(st[0]).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(resourcesOf(st[0])).toEqual([logGroupArn(fn)]);
    }
  });

  it('reaches DynamoDB only on the table and its indexes, with the store commands only', () => {
    for (const fn of FUNCTIONS) {
      const st = stmtsWith(fn, 'dynamodb:');
      expect(st.length, fn).toBeGreaterThan(0);
      for (const s of st) {
        for (const a of actionsOf(s)) expect(DDB_ACTIONS, `${fn}: ${a}`).toContain(a);
        for (const r of resourcesOf(s)) expect([json(TABLE_ARN), json(INDEX_ARN)], fn).toContain(json(r));
      }
      expect(st.flatMap(actionsOf).sort()).toEqual([...DDB_ACTIONS].sort());
    }
  });

  it('manages only the schedules of the lowpower group, and passes only the invoke role, only to the scheduler', () => {
    for (const fn of FUNCTIONS) {
      for (const s of stmtsWith(fn, 'scheduler:')) {
        if (actionsOf(s).includes('scheduler:ListSchedules')) {
          expect(actionsOf(s), fn).toEqual(['scheduler:ListSchedules']);
          continue;
        }
        for (const a of actionsOf(s)) expect(SCHEDULER_ACTIONS, `${fn}: ${a}`).toContain(a);
        expect(resourcesOf(s), fn).toEqual([SCHEDULES_ARN]);
      }
      const pass = stmtsWith(fn, 'iam:');
      if (fn === 'slack') {
        // Slack changes schedules only through the http function: no scheduler rights of its own.
        expect(pass, fn).toHaveLength(0);
        expect(stmtsWith(fn, 'scheduler:'), fn).toHaveLength(0);
        continue;
      }
      expect(pass, fn).toHaveLength(1);
      expect(actionsOf(pass[0])).toEqual(['iam:PassRole']);
      expect(resourcesOf(pass[0])).toEqual([INVOKE_ROLE_ARN]);
      expect(pass[0].Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    }
  });

  it('reads BMC secrets under lowpower/<stage>/ from the VPC functions, writes them from http only; slack reads its signing secret only', () => {
    for (const fn of VPC_FUNCTIONS) {
      const st = stmtsWith(fn, 'secretsmanager:');
      const allow = st.filter((s) => s.Effect === 'Allow');
      // http stores the XAPI and BMC passwords given to POST /v1/pools and /v1/hosts (SecretsManagerSecrets.put).
      expect(allow.map(actionsOf), fn).toEqual(fn === 'http' ? [['secretsmanager:GetSecretValue'], ['secretsmanager:PutSecretValue', 'secretsmanager:CreateSecret']] : [['secretsmanager:GetSecretValue']]);
      for (const a of allow) expect(resourcesOf(a)).toEqual([BMC_SECRETS_ARN]);
      const deny = st.filter((s) => s.Effect === 'Deny');
      expect(deny, fn).toHaveLength(1);
      expect(resourcesOf(deny[0])).toEqual([{ Ref: 'SlackSigningSecret' }, { Ref: 'SlackWebhookSecret' }]);
    }
    const slack = stmtsWith('slack', 'secretsmanager:');
    expect(slack).toHaveLength(1);
    expect(slack[0].Effect).toBe('Allow');
    expect(actionsOf(slack[0])).toEqual(['secretsmanager:GetSecretValue']);
    expect(resourcesOf(slack[0])).toEqual([{ Ref: 'SlackSigningSecret' }, { Ref: 'SlackWebhookSecret' }]);
    // The slack function reads it through the Secrets port: <SECRETS_PREFIX><SLACK_SECRET_REF>.
    const env = lambdaOf('slack').Properties!.Environment.Variables;
    expect(res('SlackSigningSecret').Properties!.Name).toBe(`${env.SECRETS_PREFIX}${env.SLACK_SECRET_REF}`);
    expect(env.SLACK_SIGNING_SECRET_ARN).toEqual({ Ref: 'SlackSigningSecret' });
  });

  it('invokes only the worker (scheduled and worker also slack, for channel messages; slack: the http function and itself)', () => {
    for (const fn of FUNCTIONS) {
      const st = stmtsWith(fn, 'lambda:');
      expect(st, fn).toHaveLength(1);
      expect(actionsOf(st[0])).toEqual(['lambda:InvokeFunction']);
      const expected = fn === 'slack' ? [functionArnSub('http'), functionArnSub('slack')] : fn === 'http' ? [functionArnSub('worker')] : [functionArnSub('worker'), functionArnSub('slack')];
      expect(resourcesOf(st[0])).toEqual(expected);
    }
  });

  it('grants ENI management to the VPC functions only', () => {
    for (const fn of VPC_FUNCTIONS) expect(stmtsWith(fn, 'ec2:'), fn).toHaveLength(1);
    expect(stmtsWith('slack', 'ec2:')).toHaveLength(0);
  });

  it('covers every service a statement names (nothing unexpected slipped in)', () => {
    const known = /^(logs|dynamodb|scheduler|iam|secretsmanager|lambda|ec2|xray):/;
    for (const fn of FUNCTIONS) for (const s of statementsOf(roleIdOf(fn))) for (const a of actionsOf(s)) expect(a, fn).toMatch(known);
  });
});

describe('functions', () => {
  it('run nodejs22.x on arm64 from functions/<name>.handler, with the design timeouts', () => {
    for (const fn of FUNCTIONS) {
      const p = lambdaOf(fn).Properties!;
      expect(p.Runtime, fn).toBe('nodejs22.x');
      expect(p.Architectures, fn).toEqual(['arm64']);
      expect(p.Handler, fn).toBe(`functions/${fn}.handler`);
      expect(p.FunctionName, fn).toBe(functionName(fn));
      expect(p.Timeout, fn).toBeLessThanOrEqual(fn === 'worker' ? 900 : 60);
    }
    expect(lambdaOf('worker').Properties!.Timeout).toBe(900);
    expect(lambdaOf('http').Properties!.Timeout).toBeLessThanOrEqual(29);
    expect(lambdaOf('slack').Properties!.Timeout).toBeLessThanOrEqual(29);
  });

  it('get the environment the handlers read (lib/aws/config.ts); no secret value is in it', () => {
    for (const fn of FUNCTIONS) {
      const env = lambdaOf(fn).Properties!.Environment.Variables;
      expect(env.TABLE_NAME).toEqual({ Ref: 'LowpowerTable' });
      expect(env.SECRETS_PREFIX).toBe(`${SERVICE}/${STAGE}/`);
      expect(env.POWERTOOLS_SERVICE_NAME).toBe(SERVICE);
      expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe(SERVICE);
      expect(env.LOG_LEVEL).toBe('INFO');
      for (const k of Object.keys(env)) expect(k, fn).not.toMatch(/PASSWORD|^SLACK_SIGNING_SECRET$|TOKEN/);
      // What the handlers' configuration needs is there (it throws on a missing variable).
      const config = configFromEnv(lambdaEnv(t, fn));
      expect(config.tableName).toBe(`${SERVICE}-${STAGE}`);
      expect(config.scheduleGroup).toBe(GROUP);
      expect(config.workerFunctionName).toBe(functionName('worker'));
      if (fn === 'slack') expect(config.slackSecretRef).toBe('slack-signing-secret');
      else expect(env.SLACK_SECRET_REF, fn).toBeUndefined();
    }
    expect(res('SlackSigningSecret').Properties!.SecretString).toBeUndefined();
  });

  it('keep logs for the configured retention', () => {
    const groups = ofType('AWS::Logs::LogGroup');
    for (const fn of FUNCTIONS) {
      const g = res(`${logicalPrefix(fn)}LogGroup`).Properties!;
      expect(g.LogGroupName).toBe(`/aws/lambda/${functionName(fn)}`);
    }
    for (const [id, g] of groups) expect(g.Properties!.RetentionInDays, id).toBe(30);
  });

  it('serve ANY /v1/{proxy+} behind the JWT authorizer, and the Slack routes unauthorised', () => {
    const routes = new Map(ofType('AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties!.RouteKey as string, r.Properties!]));
    expect([...routes.keys()].sort()).toEqual(['ANY /v1/{proxy+}', 'POST /slack/commands', 'POST /slack/interactions']);
    expect(routes.get('ANY /v1/{proxy+}')).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: 'HttpApiAuthorizerJwt' } });
    for (const k of ['POST /slack/commands', 'POST /slack/interactions']) expect(routes.get(k)!.AuthorizationType ?? 'NONE', k).toBe('NONE');
    const auth = res('HttpApiAuthorizerJwt').Properties!;
    expect(auth).toMatchObject({ AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    expect(auth.JwtConfiguration).toEqual({ Issuer: 'https://issuer.example.invalid/', Audience: ['lowpower-ci'] });
    const integrations = ofType('AWS::ApiGatewayV2::Integration').map(([, r]) => json(r.Properties!.IntegrationUri));
    expect(integrations.some((u) => u.includes('HttpLambdaFunction'))).toBe(true);
    expect(integrations.some((u) => u.includes('SlackLambdaFunction'))).toBe(true);
  });
});

describe('sweeper', () => {
  it('a recurring schedule in the group invokes the scheduled function with the sweep input every five minutes', () => {
    const schedules = ofType('AWS::Scheduler::Schedule').map(([, r]) => r.Properties!);
    const sweeper = schedules.find((s) => (s.Target as { Input?: string } | undefined)?.Input === '{"source":"sweep"}');
    expect(sweeper).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', GroupName: { Ref: 'ScheduleGroup' }, FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(JSON.stringify((sweeper!.Target as { Arn: unknown }).Arn)).toContain('scheduled');
  });
});

describe('alarms', () => {
  it('alarm on the OperationsFailed metric of namespace lowpower and on worker errors', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties!);
    const failed = alarms.find((a) => a.MetricName === 'OperationsFailed');
    expect(failed).toMatchObject({ Namespace: 'lowpower', Dimensions: [{ Name: 'service', Value: 'lowpower' }], Statistic: 'Sum', Threshold: 1 });
    const worker = alarms.find((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors');
    expect(worker).toMatchObject({ Dimensions: [{ Name: 'FunctionName', Value: functionName('worker') }] });
    const lambdaErrors = alarms.filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors').map((a) => (a.Dimensions as Array<{ Value: unknown }>)[0].Value);
    expect(lambdaErrors).toContainEqual(functionName('scheduled'));
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
  });
});

describe('artifacts', () => {
  it.each(FUNCTIONS)('%s: a zip of at most 300 KB holding its ESM bundle and chunks only', async (fn) => {
    expect(zipSize(fn)).toBeLessThanOrEqual(MAX_ZIP_BYTES);
    const u = unzipFunction(fn);
    // Every file is the entry or a chunk it reaches: nothing of another function, no source map.
    const { modules } = await bundleGraph(u.handlerPath);
    const reached = modules.map((m) => relative(u.dir, m.path)).sort();
    expect(u.files.map((f) => f.name).sort()).toEqual(reached);
    expect(reached).toContain(`functions/${fn}.mjs`);
    for (const name of reached) expect(name).toMatch(/^functions\/[\w-]+\.mjs$/);
  });

  it.each(['http', 'scheduled', 'worker'] as const)('%s: the BMC clients and the pool import load on first use, not at the cold start', async (fn) => {
    const u = unzipFunction(fn);
    const { modules } = await bundleGraph(u.handlerPath);
    // The sources of each module, from the source maps the build keeps beside the bundles.
    const sourcesOf = (m: { path: string }): string[] => {
      const map = join(SERVERLESS_DIR, 'esbuild', '.build', `__only_${fn}`, 'functions', `${basename(m.path)}.map`);
      return (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources.map((x) => x.replace(/^(\.\.\/)+/, ''));
    };
    const heavy = /^lib\/(ipmi\/client|redfish\/client|drivers\/|onboard\/)/;
    const atStart = modules.filter((m) => m.static).flatMap(sourcesOf).filter((x) => heavy.test(x));
    const onFirstUse = modules.filter((m) => !m.static).flatMap(sourcesOf).filter((x) => heavy.test(x));
    expect(atStart).toEqual([]);
    expect(onFirstUse).toEqual(expect.arrayContaining(['lib/ipmi/client.ts', 'lib/redfish/client.ts', 'lib/drivers/index.ts']));
  });

  it.each(['http', 'scheduled', 'worker'] as const)('%s: the Scheduler and Secrets Manager SDKs load on their first call, not at the cold start', async (fn) => {
    const u = unzipFunction(fn);
    const { modules } = await bundleGraph(u.handlerPath);
    const sourcesOf = (m: { path: string }): string[] => {
      const map = join(SERVERLESS_DIR, 'esbuild', '.build', `__only_${fn}`, 'functions', `${basename(m.path)}.map`);
      return (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources;
    };
    const clients = /node_modules\/@aws-sdk\/(client-scheduler|client-secrets-manager)\//;
    const packages = (xs: string[]): string[] => [...new Set(xs.filter((x) => clients.test(x)).map((x) => (clients.exec(x) as RegExpExecArray)[1]))].sort();
    expect(packages(modules.filter((m) => m.static).flatMap(sourcesOf))).toEqual([]);
    expect(packages(modules.filter((m) => !m.static).flatMap(sourcesOf))).toEqual(['client-scheduler', 'client-secrets-manager']);
  });

  it.each(FUNCTIONS)("%s: Node's web streams are not loaded at the cold start (middy's streamed-response check loads them on use)", async (fn) => {
    const u = unzipFunction(fn);
    const { modules } = await bundleGraph(u.handlerPath);
    const importsWebStreams = modules.filter((m) => m.static && /(from|import)\s*["']node:stream\/web["']/.test(readFileSync(m.path, 'utf8')));
    expect(importsWebStreams.map((m) => basename(m.path))).toEqual([]);
  });

  it.each(FUNCTIONS)('%s: bundles everything (the AWS SDK too), and imports with a handler function', async (fn) => {
    const u = unzipFunction(fn);
    // The SDK is bundled (the version the tests ran); nothing is left to resolve at run time but
    // Node built-ins, and, loaded only on demand, the credential providers serverless.yml leaves
    // out (the default chain reaches them only when the environment has no keys, never in Lambda).
    const builtin = /^node:|^[a-z_]+$/;
    const imports = await externalImportKinds(u.handlerPath);
    const leftOut = excludedFromBundles();
    expect(leftOut.length).toBeGreaterThan(0);
    for (const i of imports) {
      if (builtin.test(i.path)) continue;
      expect(leftOut, fn).toContain(i.path);
      expect(i.kind, `${fn}: ${i.path}`).toBe('dynamic-import');
    }
    const probe = await probeImport(u.handlerPath, lambdaEnv(t, fn), fn);
    expect(probe.handlerType).toBe('function');
  });
});
