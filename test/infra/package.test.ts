/**
 * `sls package` of every delivery mode and of the existing-bucket variant, offline with fake
 * credentials; the assertions read the generated CloudFormation templates. Packaging costs a few
 * seconds each, so the four variants are packaged once, two at a time, before the tests.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CfnTemplate, slsPackage } from '../../dev/sls-package';
import { bucketPolicyStatements, envOf, findCycle, grants, list, ofType, referencedIds, resource, roleStatements, show } from '../helpers/cfn';
import { throwawayKeyPair } from '../helpers/cloudfront-signature';

const STAGE = 'prod';
const BUCKET = 'evergreen-avatars-prod-us-east-1';
const B = `arn:\${AWS::Partition}:s3:::${BUCKET}`;
const DISTRIBUTION_ARN = 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${AvatarDistribution}';
const KEY_PARAMETER = '/evergreen-avatars/prod/cloudfront-private-key';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';

/** Every optional knob switched on, to check that each parameter reaches the template. */
const OPTIONS = {
  customDomain: 'avatars.example.com',
  acmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c',
  wafEnabled: 'true',
  wafAllowedIpv4: '203.0.113.0/24,198.51.100.7/32',
  dlqAlarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops',
  logRetentionDays: '7',
  sesIdentity: 'mail.example.com',
  sesConfigurationSet: 'transactional',
  cloudfrontPriceClass: 'PriceClass_All',
};

type Variant = 'public' | 'cloudfront' | 'cloudfront-signed' | 'existing-bucket' | 'cloudfront-options';
const templates = new Map<Variant, CfnTemplate>();
const { publicKey } = throwawayKeyPair();
let workDir = '';

function params(variant: Variant, publicKeyFile: string): Record<string, string> {
  switch (variant) {
    case 'public':
      return { deliveryMode: 'public' };
    case 'cloudfront':
      return { deliveryMode: 'cloudfront' };
    case 'cloudfront-signed':
      return { deliveryMode: 'cloudfront-signed', cloudfrontPublicKeyFile: publicKeyFile };
    case 'existing-bucket':
      return { deliveryMode: 'cloudfront', existingBucket: 'true', sendMaxConcurrency: '5' };
    case 'cloudfront-options':
      return { deliveryMode: 'cloudfront', ...OPTIONS };
    default: {
      const unreachable: never = variant;
      throw new Error(String(unreachable));
    }
  }
}

async function inPairs<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  };
  await Promise.all([worker(), worker()]);
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'evergreen-package-'));
  const publicKeyFile = join(workDir, 'cloudfront-public.pem');
  await writeFile(publicKeyFile, publicKey);
  const variants: Variant[] = ['public', 'cloudfront', 'cloudfront-signed', 'existing-bucket', 'cloudfront-options'];
  await inPairs(variants, async (variant) => {
    const result = await slsPackage({ name: variant, stage: STAGE, params: params(variant, publicKeyFile), packageDir: join(workDir, variant) });
    templates.set(variant, result.template);
  });
}, 240_000);

afterAll(async () => {
  if (workDir !== '') await rm(workDir, { recursive: true, force: true });
});

const t = (variant: Variant): CfnTemplate => {
  const template = templates.get(variant);
  if (template === undefined) throw new Error(`${variant} was not packaged`);
  return template;
};
const ALL: Variant[] = ['public', 'cloudfront', 'cloudfront-signed', 'existing-bucket'];
const CLOUDFRONT: Variant[] = ['cloudfront', 'cloudfront-signed', 'existing-bucket'];

/** Allow statements that anyone (Principal "*") gets. */
const anonymousAllows = (template: CfnTemplate) =>
  bucketPolicyStatements(template).filter((s) => s.Effect === 'Allow' && (s.Principal === '*' || JSON.stringify(s.Principal).includes('"AWS":"*"')));

describe('public mode', () => {
  it('makes avatars/* (and nothing else) anonymously readable', () => {
    const allows = anonymousAllows(t('public'));
    expect(allows.map((s) => [list(s.Action), list(s.Resource).map(show)])).toEqual([[['s3:GetObject'], [`${B}/avatars/*`]]]);
    const everyAllowedResource = bucketPolicyStatements(t('public')).filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Resource).map(show));
    for (const privatePrefix of ['uploads/', 'manifests/', 'idempotency/']) {
      expect(everyAllowedResource.some((r) => r.includes(privatePrefix) || r === `${B}/*`)).toBe(false);
    }
  });

  it('relaxes Block Public Access only for bucket policies; ownership enforced; encrypted', () => {
    const bucket = resource(t('public'), 'S3BucketAvatars').Properties;
    expect(bucket.BucketName).toBe(BUCKET);
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(JSON.stringify(bucket.BucketEncryption)).toContain('"SSEAlgorithm":"AES256"');
  });

  it('serves virtual-hosted S3 URLs and creates no CloudFront resources', () => {
    expect(envOf(t('public'), 'SendEmailLambdaFunction').AVATAR_BASE_URL).toBe(`https://${BUCKET}.s3.us-east-1.amazonaws.com/`);
    expect(envOf(t('public'), 'SendEmailLambdaFunction').DELIVERY_MODE).toBe('public');
    expect(Object.values(t('public').Resources).filter((r) => r.Type.startsWith('AWS::CloudFront::'))).toEqual([]);
    expect(envOf(t('public'), 'NormalizeAvatarLambdaFunction').CLOUDFRONT_DISTRIBUTION_ID).toBe('');
  });
});

describe.each(CLOUDFRONT)('CloudFront delivery (%s)', (variant) => {
  it('admits only the distribution, through its SourceArn, to avatars/* only', () => {
    expect(anonymousAllows(t(variant))).toEqual([]);
    const allows = bucketPolicyStatements(t(variant)).filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]?.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(list(allows[0]?.Action)).toEqual(['s3:GetObject']);
    expect(list(allows[0]?.Resource).map(show)).toEqual([`${B}/avatars/*`]);
    expect(show(allows[0]?.Condition?.StringEquals?.['AWS:SourceArn'])).toBe(DISTRIBUTION_ARN);
  });

  it('signs every origin request with an Origin Access Control on the S3 REST endpoint', () => {
    const oac = resource(t(variant), 'AvatarOriginAccessControl').Properties.OriginAccessControlConfig;
    expect(oac).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    const config = resource(t(variant), 'AvatarDistribution').Properties.DistributionConfig as Record<string, unknown>;
    const origins = config.Origins as Array<Record<string, unknown>>;
    expect(origins).toHaveLength(1);
    expect(origins[0]?.DomainName).toBe(`${BUCKET}.s3.us-east-1.amazonaws.com`);
    expect(show(origins[0]?.OriginAccessControlId)).toBe('GetAtt:AvatarOriginAccessControl.Id');
    expect(origins[0]?.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
  });

  it('routes only /avatars/* to the bucket, HTTPS only, with the managed caching policy', () => {
    const config = resource(t(variant), 'AvatarDistribution').Properties.DistributionConfig as Record<string, unknown>;
    const behaviors = config.CacheBehaviors as Array<Record<string, unknown>>;
    expect(behaviors.map((b) => b.PathPattern)).toEqual(['avatars/*']);
    expect(behaviors[0]?.CachePolicyId).toBe(CACHING_OPTIMIZED);
    const fallback = config.DefaultCacheBehavior as Record<string, unknown>;
    expect(fallback.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': ['AvatarNotFoundFunction', 'FunctionARN'] } }]);
    expect(String(resource(t(variant), 'AvatarNotFoundFunction').Properties.FunctionCode)).toContain('statusCode: 404');
    for (const behavior of [fallback, ...behaviors]) expect(behavior.ViewerProtocolPolicy).toBe('https-only');
  });

  it('keeps the bucket fully private (all four Block Public Access flags)', () => {
    if (variant === 'existing-bucket') {
      expect(ofType(t(variant), 'AWS::S3::Bucket').filter((id) => id !== 'ServerlessDeploymentBucket')).toEqual([]);
      return;
    }
    expect(resource(t(variant), 'S3BucketAvatars').Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true,
    });
  });

  it('has the WAF web ACL off by default and a custom domain only when configured', () => {
    const template = t(variant);
    expect(template.Conditions?.WafEnabled).toEqual({ 'Fn::Equals': ['false', 'true'] });
    expect(resource(template, 'AvatarWebAcl').Condition).toBe('WafEnabled');
    expect(resource(template, 'AvatarMailProxyIpSet').Condition).toBe('WafEnabled');
    expect((resource(template, 'AvatarWebAcl').Properties.DefaultAction)).toEqual({ Block: {} });
    const config = resource(template, 'AvatarDistribution').Properties.DistributionConfig as Record<string, unknown>;
    expect(config.WebACLId).toEqual({ 'Fn::If': ['WafEnabled', { 'Fn::GetAtt': ['AvatarWebAcl', 'Arn'] }, { Ref: 'AWS::NoValue' }] });
    expect((config.Aliases as { 'Fn::If': unknown[] })['Fn::If'][0]).toBe('HasCustomDomain');
    expect(template.Conditions?.HasCustomDomain).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('lets normalize invalidate its own distribution, and tells it which one', () => {
    const normalize = grants(roleStatements(t(variant), 'NormalizeAvatarRole'));
    expect(normalize['cloudfront:CreateInvalidation']).toEqual([DISTRIBUTION_ARN]);
    expect(envOf(t(variant), 'NormalizeAvatarLambdaFunction').CLOUDFRONT_DISTRIBUTION_ID).toEqual({ Ref: 'AvatarDistribution' });
    expect(resource(t(variant), 'NormalizeAvatarLambdaFunction').DependsOn).toContain('NormalizeAvatarInvalidationPolicy');
  });
});

describe('cloudfront-signed mode', () => {
  it('trusts a key group holding the configured public key on the avatar behaviour', () => {
    const template = t('cloudfront-signed');
    expect((resource(template, 'AvatarSigningPublicKey').Properties.PublicKeyConfig as { EncodedKey: string }).EncodedKey).toBe(publicKey);
    expect((resource(template, 'AvatarSigningKeyGroup').Properties.KeyGroupConfig as { Items: unknown[] }).Items).toEqual([{ Ref: 'AvatarSigningPublicKey' }]);
    const config = resource(template, 'AvatarDistribution').Properties.DistributionConfig as { CacheBehaviors: Array<Record<string, unknown>> };
    expect(config.CacheBehaviors[0]?.TrustedKeyGroups).toEqual([{ Ref: 'AvatarSigningKeyGroup' }]);
    for (const unsigned of ['cloudfront', 'existing-bucket'] as const) {
      const other = resource(t(unsigned), 'AvatarDistribution').Properties.DistributionConfig as { CacheBehaviors: Array<Record<string, unknown>> };
      expect(other.CacheBehaviors[0]?.TrustedKeyGroups).toEqual({ Ref: 'AWS::NoValue' });
    }
  });

  it('gives the sender the key id and the SSM parameter name, never the private key', () => {
    const env = envOf(t('cloudfront-signed'), 'SendEmailLambdaFunction');
    expect(env).toMatchObject({ DELIVERY_MODE: 'cloudfront-signed', CLOUDFRONT_KEY_PAIR_ID: { Ref: 'AvatarSigningPublicKey' }, CLOUDFRONT_PRIVATE_KEY_PARAMETER: KEY_PARAMETER, SIGNED_URL_EXPIRY_YEARS: '10' });
    expect(JSON.stringify(t('cloudfront-signed'))).not.toMatch(/PRIVATE KEY-----/);
  });

  it('lets only the sender read the one key parameter, decrypting through SSM only', () => {
    const statements = roleStatements(t('cloudfront-signed'), 'SendEmailRole');
    const parameterArn = `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${KEY_PARAMETER}`;
    expect(grants(statements)['ssm:GetParameter']).toEqual([parameterArn]);
    const decrypt = statements.find((s) => list(s.Action).includes('kms:Decrypt'));
    expect(show(decrypt?.Condition?.StringEquals?.['kms:ViaService'])).toBe('ssm.${AWS::Region}.amazonaws.com');
    expect(show(decrypt?.Condition?.StringEquals?.['kms:EncryptionContext:PARAMETER_ARN'])).toBe(parameterArn);
    expect(JSON.stringify(roleStatements(t('cloudfront-signed'), 'NormalizeAvatarRole'))).not.toMatch(/ssm:|kms:/);
    for (const unsigned of ['public', 'cloudfront'] as const) expect(JSON.stringify(roleStatements(t(unsigned), 'SendEmailRole'))).not.toMatch(/ssm:|kms:/);
  });
});

describe.each([...ALL, 'cloudfront-options'] as Variant[])('template integrity (%s)', (variant) => {
  it('refers only to resources, parameters and conditions that exist', () => {
    const template = t(variant);
    for (const id of Object.keys(template.Resources)) {
      for (const target of referencedIds(template, id)) expect(template.Resources[target], `${id} -> ${target}`).toBeDefined();
      const condition = template.Resources[id]?.Condition;
      if (condition !== undefined) expect(template.Conditions?.[condition], `${id} condition`).toBeDefined();
    }
  });

  it('has no circular dependency (CloudFormation would refuse the stack)', () => {
    expect(findCycle(t(variant))).toBeUndefined();
  });
});

describe.each(ALL)('least privilege and safety (%s)', (variant) => {
  it('gives each function its own role and no shared one', () => {
    const template = t(variant);
    expect(show(resource(template, 'NormalizeAvatarLambdaFunction').Properties.Role)).toBe('GetAtt:NormalizeAvatarRole.Arn');
    expect(show(resource(template, 'SendEmailLambdaFunction').Properties.Role)).toBe('GetAtt:SendEmailRole.Arn');
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('normalize: reads uploads/*, writes avatars/* and manifests/*, nothing else', () => {
    const normalize = grants(roleStatements(t(variant), 'NormalizeAvatarRole'));
    expect(normalize['s3:GetObject']).toEqual([`${B}/avatars/*`, `${B}/manifests/*`, `${B}/uploads/*`]);
    expect(normalize['s3:PutObject']).toEqual([`${B}/avatars/*`, `${B}/manifests/*`]);
    expect(normalize['s3:DeleteObject']).toEqual([`${B}/avatars/*`, `${B}/manifests/*`]);
    expect(normalize['s3:ListBucket']).toEqual([B]);
    expect(normalize['logs:PutLogEvents']).toEqual(['GetAtt:NormalizeAvatarLogGroup.Arn']);
    expect(normalize['sqs:SendMessage']).toEqual(['GetAtt:NormalizeFailuresQueue.Arn']);
    const expected = ['logs:CreateLogStream', 'logs:PutLogEvents', 's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject', 'sqs:SendMessage'];
    if (variant !== 'public') expected.push('cloudfront:CreateInvalidation');
    expect(Object.keys(normalize).sort()).toEqual(expected.sort());
    // The operator's default avatar is out of reach even though avatars/* is writable.
    const denied = roleStatements(t(variant), 'NormalizeAvatarRole').filter((st) => st.Effect === 'Deny');
    expect(denied.map((st) => [list(st.Action).sort(), list(st.Resource).map(show)])).toEqual([[['s3:DeleteObject', 's3:PutObject'], [`${B}/avatars/default/*`]]]);
  });

  it('normalize: events that still fail after the async retries go to a queue with an alarm', () => {
    const template = t(variant);
    const [configId] = ofType(template, 'AWS::Lambda::EventInvokeConfig');
    const destination = (resource(template, configId ?? '').Properties.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination;
    expect(destination).toEqual({ 'Fn::GetAtt': ['NormalizeFailuresQueue', 'Arn'] });
    const alarm = resource(template, 'NormalizeFailuresAlarm').Properties;
    expect(alarm).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0 });
  });

  it('send: reads manifests, owns idempotency/*, sends from the identity, its queues only', () => {
    const send = grants(roleStatements(t(variant), 'SendEmailRole'));
    expect(send['s3:GetObject']).toEqual([`${B}/idempotency/*`, `${B}/manifests/*`]);
    expect(send['s3:PutObject']).toEqual([`${B}/idempotency/*`]);
    expect(send['s3:DeleteObject']).toEqual([`${B}/idempotency/*`]);
    expect(send['ses:SendEmail']).toEqual([
      'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/evergreen-avatars-prod',
      'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/example.com',
      'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:template/*',
    ]);
    expect(send['sqs:SendMessage']).toEqual(['GetAtt:EmailJobsDeadLetterQueue.Arn']);
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility']) {
      expect(send[action]).toEqual(['GetAtt:EmailJobsQueue.Arn']);
    }
    expect(send['s3:PutObject']?.some((r) => r.includes('avatars/') || r.includes('manifests/'))).toBe(false);
  });

  it('uses "*" only for ses:GetAccount, which has no resource type, and no wildcard actions', () => {
    for (const role of ['NormalizeAvatarRole', 'SendEmailRole']) {
      for (const statement of roleStatements(t(variant), role)) {
        for (const action of list(statement.Action)) expect(action).not.toMatch(/\*/);
        if (list(statement.Resource).includes('*')) expect(list(statement.Action)).toEqual(['ses:GetAccount']);
      }
    }
  });

  it('keeps recursion protection on and log retention set', () => {
    for (const fn of ['NormalizeAvatarLambdaFunction', 'SendEmailLambdaFunction']) {
      expect(resource(t(variant), fn).Properties.RecursiveLoop).toBe('Terminate');
    }
    for (const group of ofType(t(variant), 'AWS::Logs::LogGroup')) expect(resource(t(variant), group).Properties.RetentionInDays).toBe(30);
  });

  it('never deletes what sent mail points at: the bucket, the distribution and the signing key are retained', () => {
    const template = t(variant);
    for (const id of ['S3BucketAvatars', 'AvatarDistribution', 'AvatarSigningPublicKey', 'AvatarSigningKeyGroup']) {
      const found = template.Resources[id] as { DeletionPolicy?: string; UpdateReplacePolicy?: string } | undefined;
      if (found === undefined) continue;
      expect([id, found.DeletionPolicy, found.UpdateReplacePolicy]).toEqual([id, 'Retain', 'Retain']);
    }
  });

  it('keeps jobs through a long SES outage: 14 days retention, 20 receives before the DLQ', () => {
    const queue = resource(t(variant), 'EmailJobsQueue').Properties;
    expect(queue.MessageRetentionPeriod).toBe(1209600);
    expect((queue.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount).toBe(20);
  });

  it('alarms on the first dead letter', () => {
    const alarm = resource(t(variant), 'EmailJobsDeadLetterAlarm').Properties;
    expect(alarm).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarm.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['EmailJobsDeadLetterQueue', 'QueueName'] } }]);
  });

  it('feeds the sender in batches with partial failures, capped concurrency and a timeout below the visibility timeout', () => {
    const template = t(variant);
    const [mappingId] = ofType(template, 'AWS::Lambda::EventSourceMapping');
    const mapping = resource(template, mappingId ?? '').Properties;
    expect(mapping).toMatchObject({ BatchSize: 10, MaximumBatchingWindowInSeconds: 5, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    expect(Number((mapping.ScalingConfig as { MaximumConcurrency: unknown }).MaximumConcurrency)).toBe(variant === 'existing-bucket' ? 5 : 2);
    const timeout = Number(resource(template, 'SendEmailLambdaFunction').Properties.Timeout);
    expect(timeout).toBeLessThan(Number(resource(template, 'EmailJobsQueue').Properties.VisibilityTimeout));
    expect(envOf(template, 'SendEmailLambdaFunction').DLQ_URL).toEqual({ Ref: 'EmailJobsDeadLetterQueue' });
    // The SES rate is shared by as many senders as the event source may run at once.
    expect(Number(envOf(template, 'SendEmailLambdaFunction').SEND_INSTANCES)).toBe(Number((mapping.ScalingConfig as { MaximumConcurrency: unknown }).MaximumConcurrency));
  });
});

describe('bucket variants', () => {
  it('new bucket: the stack owns the bucket and its upload notifications (created and removed, uploads/ only)', () => {
    const bucket = resource(t('cloudfront'), 'S3BucketAvatars').Properties;
    const configs = (bucket.NotificationConfiguration as { LambdaConfigurations: Array<Record<string, unknown>> }).LambdaConfigurations;
    expect(configs.map((c) => c.Event)).toEqual(['s3:ObjectCreated:*', 's3:ObjectRemoved:*']);
    for (const config of configs) expect(config.Filter).toEqual({ S3Key: { Rules: [{ Name: 'prefix', Value: 'uploads/' }] } });
    expect(resource(t('cloudfront'), 'AvatarBucketPolicy').DependsOn).toContain('S3BucketAvatars');
  });

  it('new bucket: send claims under idempotency/ expire after 30 days, nothing else does', () => {
    const rules = (resource(t('public'), 'S3BucketAvatars').Properties.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules;
    expect(rules).toEqual([{ Id: 'ExpireIdempotencyRecords', Status: 'Enabled', Prefix: 'idempotency/', ExpirationInDays: 30 }]);
  });

  it('existing bucket: no bucket resource, notifications through the custom resource after the function exists', () => {
    const template = t('existing-bucket');
    expect(template.Resources.S3BucketAvatars).toBeUndefined();
    const [customId] = ofType(template, 'Custom::S3');
    const custom = resource(template, customId ?? '');
    expect(custom.Properties.BucketName).toBe(BUCKET);
    expect(custom.Properties.BucketConfigs).toEqual([
      { Event: 's3:ObjectCreated:*', Rules: [{ Prefix: 'uploads/' }] },
      { Event: 's3:ObjectRemoved:*', Rules: [{ Prefix: 'uploads/' }] },
    ]);
    expect(custom.DependsOn).toContain('NormalizeAvatarLambdaFunction');
    expect(resource(template, 'AvatarBucketPolicy').Properties.Bucket).toBe(BUCKET);
  });
});

describe('optional parameters (customDomain, acmCertificateArn, waf*, dlqAlarmTopicArn, logRetentionDays, ses*)', () => {
  const template = () => t('cloudfront-options');
  const config = () => resource(template(), 'AvatarDistribution').Properties.DistributionConfig as Record<string, unknown>;

  it('serves the custom domain with its ACM certificate and puts it in the avatar URLs', () => {
    expect(template().Conditions?.HasCustomDomain).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['avatars.example.com', ''] }] });
    expect(config().Aliases).toEqual({ 'Fn::If': ['HasCustomDomain', ['avatars.example.com'], { Ref: 'AWS::NoValue' }] });
    const certificate = (config().ViewerCertificate as { 'Fn::If': unknown[] })['Fn::If'][1];
    expect(certificate).toEqual({ AcmCertificateArn: OPTIONS.acmCertificateArn, SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' });
    expect(config().PriceClass).toBe('PriceClass_All');
    const baseUrl = envOf(template(), 'SendEmailLambdaFunction').AVATAR_BASE_URL as { 'Fn::If': unknown[] };
    expect(baseUrl['Fn::If'].slice(0, 2)).toEqual(['HasCustomDomain', 'https://avatars.example.com/']);
  });

  it('turns on the WAF allow-list of mail-proxy IPs, blocking everyone else', () => {
    expect(template().Conditions?.WafEnabled).toEqual({ 'Fn::Equals': ['true', 'true'] });
    expect(resource(template(), 'AvatarMailProxyIpSet').Properties).toMatchObject({ Scope: 'CLOUDFRONT', Addresses: { 'Fn::Split': [',', OPTIONS.wafAllowedIpv4] } });
    const acl = resource(template(), 'AvatarWebAcl').Properties;
    expect(acl.DefaultAction).toEqual({ Block: {} });
    expect((acl.Rules as Array<{ Action: unknown }>).map((r) => r.Action)).toEqual([{ Allow: {} }]);
  });

  it('turns IPv6 off while the IPv4-only WAF allow-list is on (IPv6 readers would all be blocked)', () => {
    const ipv6 = (resource(template(), 'AvatarDistribution').Properties.DistributionConfig as { IPV6Enabled: unknown }).IPV6Enabled;
    expect(ipv6).toEqual({ 'Fn::If': ['WafEnabled', false, true] });
  });

  it('notifies the alarm topic, keeps logs 7 days and sends from the configured identity and configuration set', () => {
    expect(resource(template(), 'EmailJobsDeadLetterAlarm').Properties.AlarmActions).toEqual({ 'Fn::If': ['HasDlqAlarmTopic', [OPTIONS.dlqAlarmTopicArn], { Ref: 'AWS::NoValue' }] });
    expect(template().Conditions?.HasDlqAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [OPTIONS.dlqAlarmTopicArn, ''] }] });
    for (const group of ofType(template(), 'AWS::Logs::LogGroup')) expect(resource(template(), group).Properties.RetentionInDays).toBe(7);
    expect(grants(roleStatements(template(), 'SendEmailRole'))['ses:SendEmail']).toEqual([
      'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/transactional',
      'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/mail.example.com',
      'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:template/*',
    ]);
    expect(envOf(template(), 'SendEmailLambdaFunction').SES_CONFIGURATION_SET).toBe('transactional');
    expect(resource(template(), 'EmailConfigurationSet').Properties.Name).toBe('transactional');
  });
});

describe('parameter validation (infra/params.cjs)', () => {
  it('refuses an unknown mode and a private key as the public key file, naming the parameter', async () => {
    const privateKeyFile = join(workDir, 'oops-private.pem');
    await writeFile(privateKeyFile, throwawayKeyPair().privateKey);
    const [badMode, privateKey] = await Promise.all([
      slsPackage({ name: 'bad-mode', stage: STAGE, params: { deliveryMode: 'presigned' }, packageDir: join(workDir, 'bad-mode') }).catch((e: unknown) => e),
      slsPackage({ name: 'bad-key', stage: STAGE, params: { deliveryMode: 'cloudfront-signed', cloudfrontPublicKeyFile: privateKeyFile }, packageDir: join(workDir, 'bad-key') }).catch((e: unknown) => e),
    ]);
    expect(String(badMode)).toContain('deliveryMode="presigned" is invalid: expected one of public, cloudfront, cloudfront-signed');
    expect(String(privateKey)).toMatch(/cloudfrontPublicKeyFile=.* holds a PRIVATE key/);
    expect(String(privateKey)).not.toContain('BEGIN PRIVATE KEY');
  });

  it('refuses, before anything is generated, what CloudFormation or the functions would refuse later', async () => {
    const refusal = await slsPackage({
      name: 'bad-options',
      stage: STAGE,
      params: { deliveryMode: 'cloudfront', customDomain: 'avatars.example.com', wafEnabled: 'true', sendMaxConcurrency: '1', logRetentionDays: '45' },
      packageDir: join(workDir, 'bad-options'),
    }).catch((e: unknown) => e);
    const message = String(refusal);
    expect(message).toContain('customDomain needs acmCertificateArn');
    expect(message).toContain('wafEnabled=true needs wafAllowedIpv4');
    expect(message).toContain('sendMaxConcurrency=1 is invalid');
    expect(message).toContain('logRetentionDays=45 is invalid');
    const noSecret = await slsPackage({ name: 'no-secret', stage: STAGE, params: {}, packageDir: join(workDir, 'no-secret'), env: { EVERGREEN_PUBLIC_ID_SECRET: '' } }).catch((e: unknown) => e);
    expect(String(noSecret)).toContain('EVERGREEN_PUBLIC_ID_SECRET must be set');
  });
});
