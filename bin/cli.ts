/**
 * `evergreen-avatars <command> ...`: the same shared/ core as the Lambdas, on local files.
 * Exit codes: 0 success, 2 the input was rejected, 1 usage or internal error.
 */
import { runNormalizeCommand } from './normalize-command';
import { runPublishDefaultAvatarCommand } from './publish-default-avatar-command';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_REJECTED = 2;

const USAGE = `Usage:
  evergreen-avatars normalize <file> [--out DIR] [--json]
      Run the avatar pipeline on a local file: prints what the Lambda would publish, or why it
      would reject the file. --out writes the variants to DIR; --json prints one JSON object.
      Image options come from the same variables as the Lambda (AVATAR_SIZES, JPEG_QUALITY, ...).
  evergreen-avatars publish-default-avatar --bucket NAME [--key avatars/...] [--region REGION]
      After a deploy: publish the shipped default avatar (users without one get it) with your
      AWS credentials. Idempotent; prints one JSON object.`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  normalize: runNormalizeCommand,
  'publish-default-avatar': runPublishDefaultAvatarCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? EXIT_INTERNAL : EXIT_OK;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`unknown command "${name}"\n${USAGE}\n`);
    return EXIT_INTERNAL;
  }
  try {
    return await command(args);
  } catch (error) {
    process.stderr.write(`evergreen-avatars ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_INTERNAL;
  }
}
