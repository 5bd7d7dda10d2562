/** Job + manifests -> the final subject and bodies, with every avatar placeholder resolved. */
import { permanentError } from '../errors';
import { type AvatarResolverConfig, avatarUrlFrom, type ManifestLookup } from './avatar-resolver';
import type { EmailJob } from './job';
import { escapeHtmlAttribute, findAvatarPlaceholders, replaceAvatarPlaceholders } from './placeholders';

export interface RenderedEmail {
  subject: string;
  html?: string;
  text?: string;
  avatarUrls: string[];
}

export function avatarUserIds(job: EmailJob): string[] {
  const bodies = [job.html ?? '', job.text ?? ''];
  return [...new Set(bodies.flatMap((body) => findAvatarPlaceholders(body).map((p) => p.userId)))];
}

export function renderEmail(job: EmailJob, manifests: ManifestLookup, config: AvatarResolverConfig): RenderedEmail {
  const avatarUrls: string[] = [];
  const missing = new Set<string>();
  const resolve = (escape: (url: string) => string) =>
    (placeholder: { userId: string; size: number | undefined }): string => {
      const url = avatarUrlFrom(manifests, config, placeholder.userId, placeholder.size);
      if (url === undefined) {
        missing.add(placeholder.userId);
        return '';
      }
      avatarUrls.push(url);
      return escape(url);
    };
  const rendered: RenderedEmail = { subject: job.subject, avatarUrls };
  if (job.html !== undefined) rendered.html = replaceAvatarPlaceholders(job.html, resolve(escapeHtmlAttribute));
  if (job.text !== undefined) rendered.text = replaceAvatarPlaceholders(job.text, resolve((url) => url));
  if (missing.size > 0) {
    throw permanentError('E_NO_AVATAR', `No published avatar for user(s): ${[...missing].join(', ')}`);
  }
  return rendered;
}
