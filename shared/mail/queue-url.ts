/**
 * The queue URL of an SQS event record, from its `eventSourceARN`, so the function needs no
 * QUEUE_URL variable to change a message's visibility. `endpoint` replaces the AWS host (local stack).
 */
export function queueUrlFromArn(arn: string, endpoint: string | undefined): string {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs') throw new Error(`not an SQS queue ARN: ${arn}`);
  const [, partition = 'aws', , region = '', account = '', name = ''] = parts;
  const host = endpoint?.replace(/\/+$/, '') ?? `https://sqs.${region}.amazonaws.com${partition === 'aws-cn' ? '.cn' : ''}`;
  return `${host}/${account}/${name}`;
}
