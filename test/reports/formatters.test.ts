/** Golden outputs of each format; CSV must parse back to the same records as the JSON. */
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import stringWidth from 'string-width';
import { HISTORY_LAYOUT, IMAGES_LAYOUT, foldStatus } from '../../src/reports/layouts.js';
import { describeChanges } from '../../src/reports/format/describe-changes.js';
import { displayZone, formatAge, resolveZone } from '../../src/reports/format/display-time.js';
import { fitColumns } from '../../src/reports/format/fit-columns.js';
import { formatRows } from '../../src/reports/format/format-rows.js';
import { formatReport } from '../../src/reports/format/format-report.js';
import { flattenRuns, formatRuns } from '../../src/reports/format/format-runs.js';
import { formatTable } from '../../src/reports/format/format-table.js';
import { describeTerminal } from '../../src/reports/format/terminal.js';
import { tagsObject } from '../../src/reports/run-reports.js';
import { csvRecordsOf } from './helpers/csv-records.js';

const IMAGES = [
  { account: 'prod', regionId: 'cn-hangzhou', imageId: 'm-1', name: 'web, "v2"\nnew', status: 'available', statusCode: 1,
    osType: 'Linux', creationTime: '2026-01-01T00:00:00.000Z', systemDiskGb: 40, instanceId: 'i-src',
    createInstances: ['i-1', 'i-2'], tags: { team: 'a', env: 'prod' }, deletedAt: null },
  { account: 'dev', regionId: 'cn-beijing', imageId: 'm-2', name: '测试镜像，一个很长的名字用来截断', status: 'unknown(9)', statusCode: 9,
    osType: null, creationTime: null, systemDiskGb: null, instanceId: null, createInstances: null, tags: {}, deletedAt: null },
];

const widths = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => stringWidth(l));

describe('table fitting (pure)', () => {
  const cols = [{ natural: 10, drop: 1 }, { natural: 30, drop: 1, shrinkTo: 12 }, { natural: 8, drop: 3 }, { natural: 6, drop: 2 }];

  it('as wide as the content when it fits, or with --wide (null width)', () => {
    expect(fitColumns(cols, 200, 2)).toEqual({ shown: [0, 1, 2, 3], widths: [10, 30, 8, 6], hidden: [] });
    expect(fitColumns(cols, null, 2)).toEqual({ shown: [0, 1, 2, 3], widths: [10, 30, 8, 6], hidden: [] });
  });

  it('cuts long text before dropping anything, widest first', () => {
    expect(fitColumns(cols, 50, 2)).toEqual({ shown: [0, 1, 2, 3], widths: [10, 20, 8, 6], hidden: [] });
  });

  it('drops the least valuable columns when cutting is not enough, never the essential ones', () => {
    expect(fitColumns(cols, 34, 2)).toEqual({ shown: [0, 1, 3], widths: [10, 14, 6], hidden: [2] });
    expect(fitColumns(cols, 10, 2)).toEqual({ shown: [0, 1], widths: [10, 12], hidden: [2, 3] });
  });

  it('room left after dropping goes to the most valuable dropped text column, cut to fit', () => {
    const withText = [{ natural: 10, drop: 1 }, { natural: 20, drop: 1 }, { natural: 40, drop: 2, shrinkTo: 20 }];
    expect(fitColumns(withText, 45, 2)).toEqual({ shown: [0, 1, 2], widths: [10, 20, 11], hidden: [] });
    expect(fitColumns(withText, 38, 2)).toEqual({ shown: [0, 1], widths: [10, 20], hidden: [2] });
  });
});

describe('images output', () => {
  it('table at 200 columns (golden): upper-case headers, no borders or rules, CJK aligned', () => {
    expect(formatRows('table', IMAGES_LAYOUT, IMAGES, { width: 200 })).toBe([
      'ACCOUNT  REGION       IMAGE  NAME                              STATUS      OS     CREATED (UTC)        DISK GB  INSTANCES  TAGS',
      'prod     cn-hangzhou  m-1    web, "v2"                         available   Linux  2026-01-01 00:00:00       40  i-1, i-2   env=prod, team=a',
      '                             new',
      'dev      cn-beijing   m-2    测试镜像，一个很长的名字用来截断  unknown(9)',
      '',
    ].join('\n'));
  });

  it('table at 80 columns (golden): fits, low-value columns dropped, long CJK names cut with an ellipsis and still aligned', () => {
    const out = formatRows('table', IMAGES_LAYOUT, IMAGES, { width: 80 });
    expect(out).toBe([
      'ACCOUNT  REGION       IMAGE  NAME                   STATUS      TAGS',
      'prod     cn-hangzhou  m-1    web, "v2"              available   env=prod, team=a',
      '                             new',
      'dev      cn-beijing   m-2    测试镜像，一个很长的…  unknown(9)',
      '(4 more columns with --wide: OS, Created, Disk GB, Instances)',
      '',
    ].join('\n'));
    expect(Math.max(...widths(out))).toBeLessThanOrEqual(80);
  });

  it('times in another zone: the header names it', () => {
    const out = formatRows('table', IMAGES_LAYOUT, IMAGES.slice(0, 1), { width: 200, zone: displayZone('Asia/Shanghai') });
    expect(out).toContain('CREATED (Asia/Shanghai)');
    expect(out).toContain('2026-01-01 08:00:00');
  });

  it('json (golden): exactly the documented keys, typed', () => {
    expect(formatRows('json', IMAGES_LAYOUT, [{ ...IMAGES[1], extra: 'not a documented key' }])).toBe(`[
  {
    "account": "dev",
    "regionId": "cn-beijing",
    "imageId": "m-2",
    "name": "测试镜像，一个很长的名字用来截断",
    "status": "unknown(9)",
    "statusCode": 9,
    "osType": null,
    "creationTime": null,
    "systemDiskGb": null,
    "instanceId": null,
    "createInstances": null,
    "tags": {},
    "deletedAt": null
  }
]
`);
    expect(JSON.parse(formatRows('json', IMAGES_LAYOUT, IMAGES))).toEqual(IMAGES);
  });

  it('csv (golden): the JSON keys as header, RFC 4180 quoting and CRLF', () => {
    expect(formatRows('csv', IMAGES_LAYOUT, IMAGES)).toBe(
      'account,regionId,imageId,name,status,statusCode,osType,creationTime,systemDiskGb,instanceId,createInstances,tags,deletedAt\r\n' +
      'prod,cn-hangzhou,m-1,"web, ""v2""\nnew",available,1,Linux,2026-01-01T00:00:00.000Z,40,i-src,"[""i-1"",""i-2""]","{""team"":""a"",""env"":""prod""}",\r\n' +
      'dev,cn-beijing,m-2,测试镜像，一个很长的名字用来截断,unknown(9),9,,,,,,{},\r\n');
  });

  it('csv parses back to the same records as the json', () => {
    const json = JSON.parse(formatRows('json', IMAGES_LAYOUT, IMAGES)) as Array<Record<string, unknown>>;
    const csv = parse(formatRows('csv', IMAGES_LAYOUT, IMAGES), { columns: true }) as Array<Record<string, string>>;
    expect(csv).toEqual(csvRecordsOf(json));
    expect(JSON.parse(csv[0]?.tags ?? '')).toEqual({ team: 'a', env: 'prod' });
  });

  it('empty result', () => {
    expect(formatRows('csv', IMAGES_LAYOUT, [])).toBe(`${IMAGES_LAYOUT.fields.join(',')}\r\n`);
    expect(formatRows('json', IMAGES_LAYOUT, [])).toBe('[]\n');
    expect(formatRows('table', IMAGES_LAYOUT, [])).toBe('(none)\n');
  });
});

describe('history output', () => {
  const changes = { status: { old: 4, new: 1 }, tags: { old: [], new: [{ key: 'env', value: 'prod' }] }, name: { old: 'a', new: null } };

  it('changes read as field: old -> new', () => {
    expect(describeChanges(changes)).toBe('name: "a" -> -\nstatus: 4 -> 1\ntags: (none) -> env=prod');
    expect(describeChanges({})).toBe('');
    expect(describeChanges(null)).toBe('');
  });

  it('the table shows the change in one column: the status once, as labels (from -> to), then the other fields', () => {
    const row = { observedAt: '2026-01-02T00:00:00.000Z', account: 'a', regionId: 'r', imageId: 'm-1', name: 'web', kind: 'status_changed',
      fromStatus: 'creating', toStatus: 'available', changes, eventId: '7', syncRunId: 'run-1' };
    expect(formatTable(HISTORY_LAYOUT.columns, [row], { width: 200 })).toBe([
      'WHEN (UTC)           ACCOUNT  REGION  IMAGE  NAME  KIND            CHANGE',
      '2026-01-02 00:00:00  a        r       m-1    web   status_changed  creating -> available',
      '                                                                   name: "a" -> -',
      '                                                                   tags: (none) -> env=prod',
      '',
    ].join('\n'));
    expect(foldStatus({ fromStatus: null, toStatus: 'creating' })).toBe('creating');
    expect(foldStatus({ fromStatus: 'available', toStatus: null })).toBe('available');
    expect(foldStatus({ fromStatus: 'available', toStatus: 'available' })).toBe('available');
    const [record] = parse(formatRows('csv', HISTORY_LAYOUT, [row]), { columns: true }) as Array<Record<string, string>>;
    expect(JSON.parse(record?.changes ?? '')).toEqual(changes);
    expect(record).toMatchObject({ kind: 'status_changed', fromStatus: 'creating', toStatus: 'available', eventId: '7', syncRunId: 'run-1' });
  });
});

describe('report output', () => {
  const report = {
    parameters: { generatedAt: '2026-01-06T00:00:00.000Z', olderThanDays: 30, changesDays: 7, requireTags: ['owner'], accounts: [], regions: [] },
    sections: [
      { name: 'by_os_type' as const, rows: [{ osType: 'Linux', images: 2 }] },
      { name: 'missing_tag' as const, rows: [{ account: 'a', regionId: 'r', imageId: 'm-1', name: 'x', missingTag: 'owner' }] },
      { name: 'older_than' as const, rows: [] },
    ],
  };

  it('table (golden): titled sections, empty ones say so', () => {
    expect(formatReport('table', report, { width: 80 })).toBe([
      'Images by OS type (1)',
      'OS TYPE  IMAGES',
      'Linux         2',
      '',
      'Images missing a required tag (owner) (1)',
      'ACCOUNT  REGION  IMAGE  NAME  MISSING TAG',
      'a        r       m-1    x     owner',
      '',
      'Images created more than 30 days ago (0)',
      '(none)',
      '',
    ].join('\n'));
  });

  it('csv (golden): one table, a section column and the union of every section\'s columns', () => {
    const csv = formatReport('csv', report);
    expect(csv).toBe('section,regionId,status,images,osType,account,imageId,name,creationTime,ageDays,missingTag,kind,events\r\n' +
      'by_os_type,,,2,Linux,,,,,,,,\r\n' +
      'missing_tag,r,,,,a,m-1,x,,,owner,,\r\n');
    expect(parse(csv, { columns: true })).toHaveLength(2);
  });

  it('json: sections by name, with the parameters', () => {
    expect(JSON.parse(formatReport('json', report))).toEqual({
      ...report.parameters,
      sections: { by_os_type: [{ osType: 'Linux', images: 2 }], missing_tag: [report.sections[1]?.rows[0]], older_than: [] },
    });
  });
});

describe('runs output', () => {
  const runs = [
    { runId: 'r2', status: 'partial', startedAt: '2026-01-02T00:00:00.000Z', error: null, regions: [
      { account: 'a', regionId: 'r1', status: 'failed', pages: 1, images: 0, errorCode: 'Throttling', errorMessage: 'slow down' },
      { account: 'a', regionId: 'r2', status: 'succeeded', pages: 3, images: 250, errorCode: null, errorMessage: null },
    ] },
    { runId: 'r1', status: 'failed', startedAt: '2026-01-01T00:00:00.000Z', error: 'no credentials', regions: [] },
  ];

  it('one row per run and region; errors joined; a run without regions keeps its own error', () => {
    expect(flattenRuns(runs).map((r) => [r.runId, r.regionId ?? null, r.status ?? null, r.error])).toEqual([
      ['r2', 'r1', 'failed', 'Throttling: slow down'], ['r2', 'r2', 'succeeded', null], ['r1', null, null, 'no credentials'],
    ]);
    const csv = parse(formatRuns('csv', runs), { columns: true }) as Array<Record<string, string>>;
    expect(csv.map((r) => [r.runStatus, r.images, r.error])).toEqual([['partial', '0', 'Throttling: slow down'], ['partial', '250', ''], ['failed', '', 'no credentials']]);
    expect(JSON.parse(formatRuns('json', runs))).toEqual(runs);
  });
});

describe('times, zones and terminals', () => {
  it('UTC unless asked; --tz local, an IANA zone, or TZ', () => {
    expect(resolveZone(undefined, {}).name).toBe('UTC');
    expect(resolveZone('utc', { TZ: 'Asia/Shanghai' }).name).toBe('UTC');
    expect(resolveZone(undefined, { TZ: 'Asia/Shanghai' }).format('2026-01-01T00:00:00.000Z')).toBe('2026-01-01 08:00:00');
    expect(resolveZone('America/New_York', {}).format('2026-07-01T12:00:00.000Z')).toBe('2026-07-01 08:00:00');
    expect(() => resolveZone('Nowhere/City', {})).toThrow(/unknown time zone 'Nowhere\/City'/);
    expect(resolveZone('local', {}).name).toBe(new Intl.DateTimeFormat().resolvedOptions().timeZone === 'UTC' ? 'UTC' : new Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it('ages for people', () => {
    expect([0, 59_000, 60_000, 3_600_000, 3_660_000, 86_400_000, 90_000_000].map(formatAge)).toEqual(['0s', '59s', '1m', '1h', '1h 1m', '1d', '1d 1h']);
  });

  it('COLUMNS and LINES override the terminal size; NO_COLOR and pipes turn colors off', () => {
    expect(describeTerminal({ isTTY: true, columns: 120, rows: 50 }, {})).toEqual({ isTTY: true, columns: 120, rows: 50, color: true });
    expect(describeTerminal({ isTTY: true, columns: 120 }, { COLUMNS: '80', LINES: '30', NO_COLOR: '1' })).toEqual({ isTTY: true, columns: 80, rows: 30, color: false });
    expect(describeTerminal({ isTTY: true }, { NO_COLOR: '' }).color).toBe(true);
    expect(describeTerminal({}, {})).toEqual({ isTTY: false, columns: 80, rows: 24, color: false });
  });
});

describe('tags', () => {
  it('stored lists become objects like the current views give; objects pass through', () => {
    expect(tagsObject([{ key: 'team', value: 'a' }, { key: 'env', value: 'prod' }])).toEqual({ env: 'prod', team: 'a' });
    expect(tagsObject([])).toEqual({});
    expect(tagsObject({ env: 'prod' })).toEqual({ env: 'prod' });
  });
});
