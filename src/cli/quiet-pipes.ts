/**
 * A reader that leaves early (`images | head -3`, `sync | true`) is the reader's choice, not a
 * failure of the command: whatever is written after it left cannot be read by anyone. So a closed
 * stdout or stderr ends the process at once, quietly, with exit 0, on every path (a report's
 * table, a log line, sync's progress line, a usage error), as `head` expects of a producer.
 * Without this, Node turns the EPIPE into an unhandled 'error' event: a 20-line stack and exit 1.
 */
const READER_GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/** Installs the handler on this process's stdout and stderr; the entry point calls it once. */
export function endQuietlyWhenReaderLeaves(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== undefined && READER_GONE.has(err.code)) process.exit(0);
      // Any other write error is as fatal as before the handler existed.
      throw err;
    });
  }
}
