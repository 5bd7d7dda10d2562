/**
 * Reads environment variables into typed values and collects every problem, so a bad
 * deployment fails its cold start once with the full list instead of one variable at a time.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  private problem(name: string, value: string, allowed: string): void {
    this.problems.push(`${name}=${JSON.stringify(value)} is invalid: expected ${allowed}`);
  }

  required(name: string, description: string): string {
    const value = this.raw(name);
    if (value === undefined) {
      this.problems.push(`${name} is required (${description})`);
      return '';
    }
    return value;
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      this.problem(name, value, `an integer from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      this.problem(name, value, `a number from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  }

  intList(name: string, fallback: readonly number[], min: number, max: number): number[] {
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    const parts = value.split(',').map((part) => Number(part.trim()));
    if (parts.length === 0 || parts.some((n) => !Number.isInteger(n) || n < min || n > max)) {
      this.problem(name, value, `a comma-separated list of integers from ${min} to ${max}`);
      return [...fallback];
    }
    return [...new Set(parts)].sort((a, b) => a - b);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) {
      this.problem(name, value, `one of ${allowed.join(', ')}`);
      return fallback;
    }
    return match;
  }

  /** An absolute http(s) URL, normalised to end with exactly one `/`. */
  baseUrl(name: string, description: string): string {
    const value = this.required(name, description);
    if (value === '') return '';
    try {
      const url = new URL(value);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
      if (url.search !== '' || url.hash !== '') throw new Error('query');
      return url.href.endsWith('/') ? url.href : `${url.href}/`;
    } catch {
      this.problem(name, value, 'an absolute http(s) URL without query string');
      return '';
    }
  }

  addProblem(problem: string): void {
    this.problems.push(problem);
  }

  /** Throws one ConfigError naming every bad variable seen so far. */
  finish(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
