/**
 * `{{name}}` / `{{order.total}}` variables in inline bodies and the subject, filled from the job's
 * `data`. In html every value is HTML-escaped (a user's display name must not become markup);
 * avatar placeholders (`{{avatar:...}}`) are a different syntax and are handled before this.
 */
import type { JsonValue } from './job';

const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}/g;
const WHOLE_VARIABLE = new RegExp(`^${VARIABLE.source}$`);

/** Whether `token` (from `{{` to `}}`) is exactly one variable. */
export function isVariableToken(token: string): boolean {
  return WHOLE_VARIABLE.test(token);
}

export interface Substitution {
  text: string;
  /** Variables the data does not have. */
  missing: string[];
  /** Variables whose value is an object, array or null (no single text to put there). */
  notScalar: string[];
}

function lookup(data: Readonly<Record<string, JsonValue>>, path: string): JsonValue | undefined {
  let value: JsonValue | undefined = data;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
    value = value[part];
  }
  return value;
}

export function substituteVariables(
  text: string,
  data: Readonly<Record<string, JsonValue>>,
  escape: (value: string) => string,
): Substitution {
  const missing = new Set<string>();
  const notScalar = new Set<string>();
  const out = text.replace(VARIABLE, (match, path: string) => {
    const value = lookup(data, path);
    if (value === undefined) {
      missing.add(path);
      return match;
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return escape(String(value));
    notScalar.add(path);
    return match;
  });
  return { text: out, missing: [...missing], notScalar: [...notScalar] };
}
