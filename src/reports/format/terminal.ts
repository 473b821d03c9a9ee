/**
 * What the output knows about where it goes: a terminal (tables, colors, progress) or a pipe
 * (JSON, nothing live). Pure: the stream's properties and the environment are arguments.
 */

export interface Terminal {
  /** stdout is a terminal: default to tables, a screenful of history, colors. */
  isTTY: boolean;
  /** Width tables must fit: `COLUMNS` when set (tests, `COLUMNS=120 cmd`), else the terminal's, else 80. */
  columns: number;
  /** Height for "a screenful": `LINES` when set, else the terminal's, else 24. */
  rows: number;
  /** Colors: on a terminal, unless `NO_COLOR` is set to anything non-empty (no-color.org) or TERM=dumb. */
  color: boolean;
}

interface StreamLike {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export function describeTerminal(stream: StreamLike, env: NodeJS.ProcessEnv): Terminal {
  const isTTY = stream.isTTY === true;
  return {
    isTTY,
    columns: positiveInt(env.COLUMNS) ?? positiveInt(stream.columns) ?? 80,
    rows: positiveInt(env.LINES) ?? positiveInt(stream.rows) ?? 24,
    color: isTTY && !noColor(env),
  };
}

/** no-color.org: `NO_COLOR` present and not empty disables color, whatever its value. */
export function noColor(env: NodeJS.ProcessEnv): boolean {
  return (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb';
}

/** The terminal of this process's stdout. */
export function stdoutTerminal(): Terminal {
  return describeTerminal(process.stdout, process.env);
}

function positiveInt(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
