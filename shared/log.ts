/** One JSON object per line, so CloudWatch Logs Insights can query every field. */
export type LogFields = Record<string, unknown>;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LineWriter = (line: string) => void;

const writeStdout: LineWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

function serializable(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [name, value] of Object.entries(fields)) {
    out[name] = value instanceof Error ? { name: value.name, message: value.message } : value;
  }
  return out;
}

export function createLogger(base: LogFields = {}, write: LineWriter = writeStdout): Logger {
  const emit = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    write(JSON.stringify({ level, time: new Date().toISOString(), message, ...base, ...serializable(fields) }));
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger({ ...base, ...fields }, write),
  };
}

/** A logger that keeps its lines in memory: for tests and for the CLI's --json mode. */
export function createMemoryLogger(base: LogFields = {}): { logger: Logger; lines: LogFields[] } {
  const lines: LogFields[] = [];
  const logger = createLogger(base, (line) => {
    lines.push(JSON.parse(line) as LogFields);
  });
  return { logger, lines };
}
