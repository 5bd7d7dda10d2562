/** Job + rendered content -> the SES v2 SendEmail input. Pure, so every header rule is unit-tested. */
import type { MessageHeader, SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { formatMailbox } from './address';
import type { EmailJob, ListUnsubscribe } from './job';
import type { RenderedContent } from './render';

const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });

/** RFC 2369 `List-Unsubscribe`, plus RFC 8058 one-click (what Gmail and Yahoo require of bulk senders). */
export function listUnsubscribeHeaders(value: ListUnsubscribe | undefined): MessageHeader[] {
  if (value === undefined) return [];
  const targets = [value.url, value.mailto === undefined ? undefined : `mailto:${value.mailto}`].filter((t) => t !== undefined);
  const headers: MessageHeader[] = [{ Name: 'List-Unsubscribe', Value: targets.map((t) => `<${t}>`).join(', ') }];
  if (value.oneClick === true) headers.push({ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' });
  return headers;
}

/** The deployment's configuration set (SES_CONFIGURATION_SET) applies unless the job names its own. */
export function withDefaultConfigurationSet(job: EmailJob, defaultSet: string | undefined): EmailJob {
  if (job.configurationSet !== undefined || defaultSet === undefined) return job;
  return { ...job, configurationSet: defaultSet };
}

export function buildSendEmailInput(job: EmailJob, content: RenderedContent): SendEmailCommandInput {
  const headers = listUnsubscribeHeaders(job.listUnsubscribe);
  const withHeaders = headers.length > 0 ? { Headers: headers } : {};
  let Content: SendEmailCommandInput['Content'];
  switch (content.kind) {
    case 'inline':
      Content = {
        Simple: {
          Subject: utf8(content.subject),
          Body: {
            ...(content.html !== undefined ? { Html: utf8(content.html) } : {}),
            ...(content.text !== undefined ? { Text: utf8(content.text) } : {}),
          },
          ...withHeaders,
        },
      };
      break;
    case 'template':
      Content = { Template: { TemplateName: content.template, TemplateData: content.templateData, ...withHeaders } };
      break;
    default: {
      const unreachable: never = content;
      throw new Error(`unknown content ${JSON.stringify(unreachable)}`);
    }
  }
  const list = (addresses: string[]) => (addresses.length > 0 ? addresses.map(formatMailbox) : undefined);
  const tags = Object.entries(job.tags).map(([Name, Value]) => ({ Name, Value }));
  return {
    FromEmailAddress: formatMailbox(job.from),
    Destination: {
      ...(job.to.length > 0 ? { ToAddresses: list(job.to) } : {}),
      ...(job.cc.length > 0 ? { CcAddresses: list(job.cc) } : {}),
      ...(job.bcc.length > 0 ? { BccAddresses: list(job.bcc) } : {}),
    },
    ...(job.replyTo.length > 0 ? { ReplyToAddresses: list(job.replyTo) } : {}),
    Content,
    ...(job.configurationSet !== undefined ? { ConfigurationSetName: job.configurationSet } : {}),
    ...(tags.length > 0 ? { EmailTags: tags } : {}),
  };
}
