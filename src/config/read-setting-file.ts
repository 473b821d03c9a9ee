/**
 * Reading a file a setting names (the CA files for TLS). Node's bare `ENOENT: no such file or
 * directory, open '/x'` names neither the setting nor why the file was wanted; this names both, in
 * one line (issue 20).
 */
import { readFileSync } from 'node:fs';
import { SettingFileError } from '../domain/errors.js';

export function readSettingFile(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new SettingFileError(`${setting}: cannot read ${path} (${code})`, { cause: err });
  }
}
