import { describe, expect, it } from 'vitest';
import { formatMailbox, parseMailbox } from '../../shared/mail/address';
import { parseEmailJob } from '../../shared/mail/job';
import { buildSendEmailInput, listUnsubscribeHeaders, withDefaultConfigurationSet } from '../../shared/mail/ses-request';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { classifySesError, sendEmail } from '../../shared/mail/ses-send';

describe('SES SendEmail input', () => {
  it('sends UTF-8 subject and bodies with recipients, reply-to, configuration set, tags and unsubscribe headers', () => {
    const job = parseEmailJob(JSON.stringify({
      id: 'j', from: 'Zoë Café <zoe@example.com>', to: ['a@example.com'], cc: 'C <c@example.com>', bcc: ['b@example.com'], replyTo: 'r@example.com',
      subject: 'ignored here', html: 'x', configurationSet: 'transactional', tags: { kind: 'comment', app: 'web' },
      listUnsubscribe: { url: 'https://example.com/unsub?u=1', mailto: 'unsub@example.com', oneClick: true },
    }));
    const input = buildSendEmailInput(job, { kind: 'inline', subject: 'Grüße', html: '<p>ü</p>', text: 'ü' });
    expect(input).toEqual({
      FromEmailAddress: '=?UTF-8?B?Wm/DqyBDYWbDqQ==?= <zoe@example.com>',
      Destination: { ToAddresses: ['a@example.com'], CcAddresses: ['C <c@example.com>'], BccAddresses: ['b@example.com'] },
      ReplyToAddresses: ['r@example.com'],
      Content: {
        Simple: {
          Subject: { Data: 'Grüße', Charset: 'UTF-8' },
          Body: { Html: { Data: '<p>ü</p>', Charset: 'UTF-8' }, Text: { Data: 'ü', Charset: 'UTF-8' } },
          Headers: [
            { Name: 'List-Unsubscribe', Value: '<https://example.com/unsub?u=1>, <mailto:unsub@example.com>' },
            { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
          ],
        },
      },
      ConfigurationSetName: 'transactional',
      EmailTags: [{ Name: 'kind', Value: 'comment' }, { Name: 'app', Value: 'web' }],
    });
  });

  it('sends template jobs as Template content with the rendered data, and omits empty optional parts', () => {
    const job = parseEmailJob(JSON.stringify({ id: 'j', from: 'a@example.com', to: 'b@example.com', template: 'Welcome' }));
    expect(buildSendEmailInput(job, { kind: 'template', template: 'Welcome', templateData: '{"a":1}' })).toEqual({
      FromEmailAddress: 'a@example.com',
      Destination: { ToAddresses: ['b@example.com'] },
      Content: { Template: { TemplateName: 'Welcome', TemplateData: '{"a":1}' } },
    });
    expect(listUnsubscribeHeaders({ mailto: 'u@example.com' })).toEqual([{ Name: 'List-Unsubscribe', Value: '<mailto:u@example.com>' }]);
  });
});

describe('default configuration set', () => {
  const base = { id: 'j', from: 'a@example.com', to: 'b@example.com', subject: 's', text: 't' };

  it('applies SES_CONFIGURATION_SET to jobs that name none, and keeps the job\'s own', () => {
    const plain = parseEmailJob(JSON.stringify(base));
    expect(buildSendEmailInput(withDefaultConfigurationSet(plain, 'stack-set'), { kind: 'inline', subject: 's', text: 't' }).ConfigurationSetName).toBe('stack-set');
    const own = parseEmailJob(JSON.stringify({ ...base, configurationSet: 'own-set' }));
    expect(withDefaultConfigurationSet(own, 'stack-set').configurationSet).toBe('own-set');
    expect(withDefaultConfigurationSet(plain, undefined).configurationSet).toBeUndefined();
  });
});

describe('mail addresses', () => {
  it('parses bare and named addresses, quotes ASCII names with specials, refuses CR/LF', () => {
    expect(parseMailbox('"Doe, Jane" <jane@example.com>')).toEqual({ name: 'Doe, Jane', address: 'jane@example.com' });
    expect(formatMailbox('Doe, Jane <jane@example.com>')).toBe('"Doe, Jane" <jane@example.com>');
    expect(parseMailbox('a@example.com\r\nBcc: x@example.com')).toBeUndefined();
    expect(parseMailbox('two@at@example.com')).toBeUndefined();
    expect(parseMailbox('no-at-sign')).toBeUndefined();
  });
});

describe('SES error classes', () => {
  const sdkError = (name: string, status: number | undefined) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  it.each([
    ['TooManyRequestsException', 429, 'retryable'],
    ['LimitExceededException', 400, 'retryable'],
    ['SendingPausedException', 400, 'retryable'],
    ['InternalFailure', 500, 'retryable'],
    ['UnknownError', 503, 'retryable'],
    ['TimeoutError', undefined, 'retryable'],
    ['Error', undefined, 'retryable'],
    ['MessageRejected', 400, 'permanent'],
    ['MailFromDomainNotVerifiedException', 400, 'permanent'],
    ['BadRequestException', 400, 'permanent'],
    ['NotFoundException', 404, 'permanent'],
    ['AccountSuspendedException', 400, 'permanent'],
    ['SomethingNew', 400, 'permanent'],
    ['AccessDeniedException', 403, 'retryable'],
    ['ExpiredTokenException', 403, 'retryable'],
    ['UnrecognizedClientException', 403, 'retryable'],
    ['InvalidClientTokenId', 403, 'retryable'],
    ['SignatureDoesNotMatch', 403, 'retryable'],
    ['SomethingNewForbidden', 403, 'retryable'],
  ] as const)('%s (HTTP %s) is %s', (name, status, kind) => {
    const error = classifySesError(sdkError(name, status));
    expect(error.kind).toBe(kind);
    expect(error.code).toMatch(/^E_SES_/);
  });
  it('credential and authorization failures are retryable E_SES_ACCESS (the job waits for an IAM fix, not the DLQ)', () => {
    for (const name of ['AccessDeniedException', 'ExpiredTokenException', 'UnrecognizedClientException', 'InvalidClientTokenId']) {
      expect(classifySesError(sdkError(name, 403)), name).toMatchObject({ kind: 'retryable', code: 'E_SES_ACCESS', message: expect.stringContaining(name) });
    }
    expect(classifySesError(sdkError('ExpiredTokenException', 400))).toMatchObject({ kind: 'retryable', code: 'E_SES_ACCESS' });
  });
  it('a connection reset (no HTTP status) is retryable', () => {
    expect(classifySesError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).kind).toBe('retryable');
  });
});

describe('SES SendEmail answer', () => {
  it('an answer without MessageId is a permanent E_SES_NO_MESSAGE_ID, not an empty id (stub client: real SES and the local server always return one)', async () => {
    const stub = { send: async () => ({ $metadata: { httpStatusCode: 200 } }) } as unknown as SESv2Client;
    await expect(sendEmail(stub, { Content: {} })).rejects.toMatchObject({ kind: 'permanent', code: 'E_SES_NO_MESSAGE_ID' });
    const ok = { send: async () => ({ MessageId: 'm-1', $metadata: {} }) } as unknown as SESv2Client;
    await expect(sendEmail(ok, { Content: {} })).resolves.toBe('m-1');
  });
});
