import { describe, expect, it } from 'vitest';
import { findCycle, referencedIds } from '../helpers/cfn';

describe('CloudFormation template readers used by test/infra', () => {
  it('sees Ref, GetAtt, Fn::Sub and DependsOn references, not pseudo parameters', () => {
    const template = {
      Resources: {
        A: { Type: 'X', Properties: { a: { Ref: 'B' }, b: { 'Fn::GetAtt': ['C', 'Arn'] }, c: { 'Fn::Sub': 'arn:${AWS::Partition}:${D}:${E.Name}' } }, DependsOn: ['F'] },
      },
    };
    expect([...referencedIds(template, 'A')].sort()).toEqual(['B', 'C', 'D', 'E', 'F']);
  });

  it('finds a dependency cycle and accepts a chain', () => {
    const chain = { Resources: { A: { Type: 'X', Properties: { r: { Ref: 'B' } } }, B: { Type: 'X', DependsOn: ['C'] }, C: { Type: 'X' } } };
    expect(findCycle(chain)).toBeUndefined();
    const cycle = { Resources: { ...chain.Resources, C: { Type: 'X', Properties: { s: { 'Fn::Sub': '${A}' } } } } };
    expect(findCycle(cycle)).toEqual(['A', 'B', 'C', 'A']);
  });
});
