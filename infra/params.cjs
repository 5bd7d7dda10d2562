// Validates the stage parameters that pick infrastructure, before anything is generated, and returns
// which infra/ files apply. A wrong value fails with one message naming the parameter and the choices
// (instead of a "Value not found" per reference).
'use strict';
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');

const MODES = {
  public: { cdn: 'none', signing: 'none' },
  cloudfront: { cdn: 'cloudfront', signing: 'none' },
  'cloudfront-signed': { cdn: 'cloudfront', signing: 'signed' },
};
const BUCKET_VARIANTS = { false: 'new', true: 'existing' };

function fail(message) {
  const error = new Error(message);
  error.stack = message; // the CLI prints the stack: keep it to the message
  throw error;
}

function checkPublicKeyFile(file) {
  if (file === '') fail('deliveryMode=cloudfront-signed needs --param="cloudfrontPublicKeyFile=<path of the PEM public key>"');
  let pem;
  try {
    pem = readFileSync(resolve(process.cwd(), file), 'utf8');
  } catch (error) {
    fail(`cloudfrontPublicKeyFile=${JSON.stringify(file)} cannot be read: ${error.code || error.message}`);
  }
  // A private key here would be copied into the CloudFormation template: refuse it outright.
  if (/PRIVATE KEY/.test(pem)) fail(`cloudfrontPublicKeyFile=${JSON.stringify(file)} holds a PRIVATE key: pass the public key (openssl rsa -pubout); the private key goes to SSM`);
  if (!/^-----BEGIN PUBLIC KEY-----/.test(pem.trim())) fail(`cloudfrontPublicKeyFile=${JSON.stringify(file)} is not a PEM public key (-----BEGIN PUBLIC KEY-----)`);
}

// CloudWatch Logs accepts only these retention periods (PutRetentionPolicy).
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** What CloudFormation would only refuse minutes into a deploy (or what would deploy and then fail every call). */
async function checkDeployParameters(resolveVariable, stage, files) {
  const param = async (name) => String(await resolveVariable(`param:${name}`));
  const problems = [];
  if (stage !== 'local') {
    // The functions refuse to start without it: a deploy that "works" and then fails every event.
    const secret = process.env.EVERGREEN_PUBLIC_ID_SECRET ?? '';
    if ((await param('publicIdSecret')) === '' && secret.length < 16) {
      problems.push('EVERGREEN_PUBLIC_ID_SECRET must be set (at least 16 characters) or --param="publicIdSecret=..." given: it keys the public ids in avatar URLs');
    } else if ((await param('publicIdSecret')).length < 16) {
      problems.push('publicIdSecret must be at least 16 characters');
    }
  }
  const concurrency = Number(await param('sendMaxConcurrency'));
  if (!Number.isInteger(concurrency) || concurrency < 2 || concurrency > 1000) problems.push(`sendMaxConcurrency=${concurrency} is invalid: SQS event sources take 2 to 1000`);
  const retention = Number(await param('logRetentionDays'));
  if (!LOG_RETENTION_DAYS.includes(retention)) problems.push(`logRetentionDays=${retention} is invalid: expected one of ${LOG_RETENTION_DAYS.join(', ')}`);
  if (files.cdn === 'cloudfront') {
    const domain = await param('customDomain');
    const certificate = await param('acmCertificateArn');
    if (domain !== '' && certificate === '') problems.push('customDomain needs acmCertificateArn (a certificate for that name in us-east-1)');
    if (certificate !== '' && !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\//.test(certificate)) problems.push(`acmCertificateArn=${JSON.stringify(certificate)} is invalid: CloudFront takes only ACM certificates in us-east-1`);
    if ((await param('wafEnabled')) === 'true') {
      const region = String(await resolveVariable('self:provider.region'));
      if (region !== 'us-east-1') problems.push(`wafEnabled=true needs the stack in us-east-1 (CloudFront web ACLs exist only there), not ${region}`);
      if ((await param('wafAllowedIpv4')).trim() === '') problems.push('wafEnabled=true needs wafAllowedIpv4 (comma-separated CIDRs); an empty allow-list would block every reader');
    }
  }
  if (files.signing === 'signed' && !(await param('cloudfrontPrivateKeyParameter')).startsWith('/')) {
    problems.push('cloudfrontPrivateKeyParameter must be an SSM parameter path starting with /');
  }
  if (problems.length > 0) fail(`Invalid deploy parameters:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

module.exports = async ({ resolveVariable }) => {
  const mode = String(await resolveVariable('param:deliveryMode'));
  const existing = String(await resolveVariable('param:existingBucket'));
  const files = MODES[mode];
  if (files === undefined) fail(`deliveryMode=${JSON.stringify(mode)} is invalid: expected one of ${Object.keys(MODES).join(', ')}`);
  const bucket = BUCKET_VARIANTS[existing];
  if (bucket === undefined) fail(`existingBucket=${JSON.stringify(existing)} is invalid: expected true or false`);
  if (files.signing === 'signed') checkPublicKeyFile(String(await resolveVariable('param:cloudfrontPublicKeyFile')));
  await checkDeployParameters(resolveVariable, String(await resolveVariable('sls:stage')), files);
  return { ...files, bucket };
};
