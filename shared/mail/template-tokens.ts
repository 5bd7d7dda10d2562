/**
 * The `{{...}}` tokens of a body or subject that neither syntax we render understands: every `{{`
 * must start an avatar placeholder (`{{avatar:<userId>[:<size>]}}`) or a variable
 * (`{{name}}`, `{{order.total}}`). Anything else (`{{avatar:a b}}`, `{{avatar:u:big}}`,
 * `{{ first-name }}`, an unclosed `{{`) would reach the reader literally, so the job is refused.
 * Checked on what the producer wrote, not on the rendered mail: a variable's value (a user's
 * comment) may contain `{{` legitimately and is not ours to judge.
 */
import { isAvatarPlaceholderToken } from './placeholders';
import { isVariableToken } from './variables';

/** Longest token text quoted back in an error message. */
const MAX_QUOTED = 60;

const quote = (token: string): string => (token.length > MAX_QUOTED ? `${token.slice(0, MAX_QUOTED)}...` : token);

function tokens(text: string): string[] {
  const out: string[] = [];
  let at = text.indexOf('{{');
  while (at !== -1) {
    const close = text.indexOf('}}', at + 2);
    if (close === -1) {
      out.push(text.slice(at).split('\n')[0] ?? '{{');
      break;
    }
    out.push(text.slice(at, close + 2));
    at = text.indexOf('{{', close + 2);
  }
  return out;
}

/** Tokens of `text` that are neither a well-formed avatar placeholder nor a variable (distinct, in order). */
export function unresolvedTokens(text: string): string[] {
  const bad = tokens(text).filter((token) => !isAvatarPlaceholderToken(token) && !isVariableToken(token));
  return [...new Set(bad.map(quote))];
}

/**
 * Malformed avatar placeholders only: for SES template data, where other `{{...}}` are values SES
 * inserts as they are, but `{{avatar:...}}` is our syntax and must resolve.
 */
export function malformedAvatarPlaceholders(text: string): string[] {
  const bad = tokens(text).filter((token) => /^\{\{\s*avatar\s*:/i.test(token) && !isAvatarPlaceholderToken(token));
  return [...new Set(bad.map(quote))];
}
