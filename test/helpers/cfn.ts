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
