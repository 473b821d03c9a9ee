/** `postgres://user:secret@host/db` -> `postgres://user:***@host/db`: URLs are logged, passwords never. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable database url>';
  }
}
