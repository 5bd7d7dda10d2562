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

module.exports = async ({ resolveVariable }) => {
  const mode = String(await resolveVariable('param:deliveryMode'));
  const existing = String(await resolveVariable('param:existingBucket'));
  const files = MODES[mode];
  if (files === undefined) fail(`deliveryMode=${JSON.stringify(mode)} is invalid: expected one of ${Object.keys(MODES).join(', ')}`);
  const bucket = BUCKET_VARIANTS[existing];
  if (bucket === undefined) fail(`existingBucket=${JSON.stringify(existing)} is invalid: expected true or false`);
  if (files.signing === 'signed') checkPublicKeyFile(String(await resolveVariable('param:cloudfrontPublicKeyFile')));
  return { ...files, bucket };
};
