/**
 * What a JSON record must read as once written to CSV and parsed back: strings as they are,
 * numbers and booleans as text, null as an empty field, arrays and objects as JSON text.
 */
export function csvRecordsOf(records: ReadonlyArray<Record<string, unknown>>): Array<Record<string, string>> {
  return records.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k,
    v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)])));
}
