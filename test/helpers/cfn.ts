/** Small readers over a generated CloudFormation template, for the infra tests. */
import type { CfnTemplate } from '../../dev/sls-package';

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Renders an intrinsic as a comparable string: `Fn::Sub` text, `Ref:X`, `GetAtt:X.Attr`. */
export function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if ('Fn::Sub' in record) return String(record['Fn::Sub']);
    if ('Ref' in record) return `Ref:${String(record.Ref)}`;
    if ('Fn::GetAtt' in record) return `GetAtt:${(record['Fn::GetAtt'] as string[]).join('.')}`;
  }
  return JSON.stringify(value);
}

export function resource(template: CfnTemplate, logicalId: string): { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; Condition?: string } {
  const found = template.Resources[logicalId];
  if (found === undefined) throw new Error(`no resource ${logicalId}; have ${Object.keys(template.Resources).join(', ')}`);
  return { ...found, Properties: found.Properties ?? {} };
}

export const ofType = (template: CfnTemplate, type: string): string[] =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type).map(([id]) => id);

/** Every statement of a role: its inline policies plus AWS::IAM::RolePolicy resources attached to it. */
export function roleStatements(template: CfnTemplate, roleId: string): Statement[] {
  const inline = list(resource(template, roleId).Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>);
  const attached = ofType(template, 'AWS::IAM::RolePolicy')
    .map((id) => resource(template, id).Properties)
    .filter((p) => show(p.RoleName) === `Ref:${roleId}`);
  return [...inline, ...attached].flatMap((p) => (p as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement);
}

/** `action -> sorted resources` for the Allow statements: the whole grant at a glance. */
export function grants(statements: Statement[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
    for (const action of list(statement.Action)) {
      out[action] = [...(out[action] ?? []), ...list(statement.Resource).map(show)].sort();
    }
  }
  return out;
}

export function bucketPolicyStatements(template: CfnTemplate): Statement[] {
  return (resource(template, 'AvatarBucketPolicy').Properties.PolicyDocument as { Statement: Statement[] }).Statement;
}

export function envOf(template: CfnTemplate, functionId: string): Record<string, unknown> {
  return ((resource(template, functionId).Properties.Environment as { Variables: Record<string, unknown> }).Variables);
}

const PSEUDO = /^AWS::/;

/** Logical ids a resource refers to: Ref, Fn::GetAtt, `${X}`/`${X.Attr}` in Fn::Sub, and DependsOn. */
export function referencedIds(template: CfnTemplate, logicalId: string): Set<string> {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(walk);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner)) found.add(String(inner[0]));
      else if (key === 'Fn::Sub' && typeof inner === 'string') {
        for (const match of inner.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z.]+)?\}/g)) found.add(match[1] ?? '');
      } else walk(inner);
    }
  };
  const resource = template.Resources[logicalId];
  walk(resource?.Properties);
  for (const dependency of resource?.DependsOn ?? []) found.add(dependency);
  return new Set([...found].filter((id) => !PSEUDO.test(id)));
}

/** A dependency cycle as a list of logical ids, or undefined: CloudFormation rejects cycles at deploy time. */
export function findCycle(template: CfnTemplate): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    for (const next of referencedIds(template, id)) {
      if (template.Resources[next] === undefined) continue;
      const cycle = visit(next, [...path, id]);
      if (cycle !== undefined) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of Object.keys(template.Resources)) {
    const cycle = visit(id, []);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}
