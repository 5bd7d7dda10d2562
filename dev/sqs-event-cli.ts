/**
 * `npm run sqs-event -- JOB.json`: wraps an email job in the SQS event Lambda would deliver, for
 * `npx sls invoke local -s local -f sendEmail -p <file>` against `npm run stack`.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from './sls-invoke';
import { toSqsEvent } from './sqs-event';
import { FIXED_PORTS, LOCAL_QUEUE, LOCAL_REGION } from './stack';

async function main(): Promise<void> {
  const jobPath = resolve(process.argv[2] ?? join(PROJECT_ROOT, 'examples/job.json'));
  const body = await readFile(jobPath, 'utf8');
  JSON.parse(body); // a file that is not JSON is the user's typo, not a job to dead-letter
  const messageId = randomUUID();
  // Not from the queue: the receipt handle is made up, so a retry's visibility change is refused.
  const event = toSqsEvent(
    [{ MessageId: messageId, ReceiptHandle: `local-${messageId}`, Body: body }],
    `arn:aws:sqs:${LOCAL_REGION}:000000000000:${LOCAL_QUEUE}`,
    LOCAL_REGION,
  );
  const dir = join(PROJECT_ROOT, '.stack/events');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `sqs-${messageId}.json`);
  await writeFile(file, `${JSON.stringify(event, null, 2)}\n`);
  process.stdout.write(
    `${relative(PROJECT_ROOT, file)}\n  -> npx sls invoke local -s local -f sendEmail -p ${relative(PROJECT_ROOT, file)}\n` +
      `     (mail lands in http://127.0.0.1:${FIXED_PORTS.ses}/store)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run sqs-event failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
