/** Golden outputs of each format; CSV must parse back to the same values with a CSV parser. */
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { IMAGE_COLUMNS } from '../../src/reports/commands/images-command.js';
import { HISTORY_COLUMNS } from '../../src/reports/commands/history-command.js';
import { describeChanges } from '../../src/reports/format/describe-changes.js';
import { formatRows } from '../../src/reports/format/format-rows.js';
import { formatReport } from '../../src/reports/format/format-report.js';
import { flattenRuns, formatRuns } from '../../src/reports/format/format-runs.js';
import { tagsObject } from '../../src/reports/run-reports.js';

const IMAGES = [
  { account: 'prod', regionId: 'cn-hangzhou', imageId: 'm-1', name: 'web, "v2"\nnew', status: 'available', statusCode: 1,
    osType: 'Linux', creationTime: '2026-01-01T00:00:00.000Z', systemDiskGb: 40, instanceId: null,
    createInstances: ['i-1', 'i-2'], tags: { team: 'a', env: 'prod' }, deletedAt: null },
  { account: 'dev', regionId: 'cn-beijing', imageId: 'm-2', name: '测试', status: 'unknown(9)', statusCode: 9,
    osType: null, creationTime: null, systemDiskGb: null, instanceId: null, createInstances: null, tags: {}, deletedAt: null },
];

describe('images output', () => {
  it('table (golden)', () => {
    expect(formatRows('table', IMAGE_COLUMNS.slice(2, 6).concat(IMAGE_COLUMNS.slice(8)), IMAGES)).toBe([
      '┌───────┬───────────┬────────────┬───────┬───────────────────┬──────────────────┐',
      '│ Image │ Name      │ Status     │ OS    │ Instances created │ Tags             │',
      '├───────┼───────────┼────────────┼───────┼───────────────────┼──────────────────┤',
      '│ m-1   │ web, "v2" │ available  │ Linux │ i-1, i-2          │ env=prod, team=a │',
      '│       │ new       │            │       │                   │                  │',
      '├───────┼───────────┼────────────┼───────┼───────────────────┼──────────────────┤',
      '│ m-2   │ 测试      │ unknown(9) │       │                   │                  │',
      '└───────┴───────────┴────────────┴───────┴───────────────────┴──────────────────┘',
      '',
    ].join('\n'));
  });

  it('json (golden): every key, typed', () => {
    expect(formatRows('json', IMAGE_COLUMNS, IMAGES.slice(1))).toBe(`[
  {
    "account": "dev",
    "regionId": "cn-beijing",
    "imageId": "m-2",
    "name": "测试",
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
    expect(JSON.parse(formatRows('json', IMAGE_COLUMNS, IMAGES))).toEqual(IMAGES);
  });

  it('csv (golden): RFC 4180 quoting and CRLF', () => {
    const csv = formatRows('csv', IMAGE_COLUMNS, IMAGES);
    expect(csv).toBe(
      'account,regionId,imageId,name,status,osType,creationTime,systemDiskGb,createInstances,tags\r\n' +
      'prod,cn-hangzhou,m-1,"web, ""v2""\nnew",available,Linux,2026-01-01T00:00:00.000Z,40,"[""i-1"",""i-2""]","{""team"":""a"",""env"":""prod""}"\r\n' +
      'dev,cn-beijing,m-2,测试,unknown(9),,,,,{}\r\n');
  });

  it('csv parses back to the same values', () => {
    const records = parse(formatRows('csv', IMAGE_COLUMNS, IMAGES), { columns: true, record_delimiter: '\r\n' }) as Array<Record<string, string>>;
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ name: 'web, "v2"\nnew', systemDiskGb: '40', creationTime: '2026-01-01T00:00:00.000Z' });
    expect(JSON.parse(records[0]?.tags ?? '')).toEqual({ team: 'a', env: 'prod' });
    expect(JSON.parse(records[0]?.createInstances ?? '')).toEqual(['i-1', 'i-2']);
    expect(records[1]).toMatchObject({ name: '测试', osType: '', tags: '{}' });
  });

  it('empty result: header only', () => {
    expect(formatRows('csv', IMAGE_COLUMNS.slice(0, 2), [])).toBe('account,regionId\r\n');
    expect(formatRows('json', IMAGE_COLUMNS, [])).toBe('[]\n');
  });
});

describe('history output', () => {
  const changes = { status: { old: 4, new: 1 }, tags: { old: [], new: [{ key: 'env', value: 'prod' }] }, name: { old: 'a', new: null } };

  it('changes read as field: old -> new', () => {
    expect(describeChanges(changes)).toBe('name: "a" -> -\nstatus: 4 -> 1\ntags: (none) -> env=prod');
    expect(describeChanges({})).toBe('');
    expect(describeChanges(null)).toBe('');
  });

  it('csv keeps changes as JSON that parses back', () => {
    const row = { observedAt: '2026-01-02T00:00:00.000Z', account: 'a', regionId: 'r', imageId: 'm-1', kind: 'status_changed',
      fromStatus: 'creating', toStatus: 'available', changes };
    const [record] = parse(formatRows('csv', HISTORY_COLUMNS, [row]), { columns: true }) as Array<Record<string, string>>;
    expect(JSON.parse(record?.changes ?? '')).toEqual(changes);
    expect(record).toMatchObject({ kind: 'status_changed', fromStatus: 'creating', toStatus: 'available' });
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
    expect(formatReport('table', report)).toBe([
      'Images by OS type (1)',
      '┌─────────┬────────┐',
      '│ OS type │ Images │',
      '├─────────┼────────┤',
      '│ Linux   │ 2      │',
      '└─────────┴────────┘',
      '',
      'Images missing a required tag (owner) (1)',
      '┌─────────┬────────┬───────┬──────┬─────────────┐',
      '│ Account │ Region │ Image │ Name │ Missing tag │',
      '├─────────┼────────┼───────┼──────┼─────────────┤',
      '│ a       │ r      │ m-1   │ x    │ owner       │',
      '└─────────┴────────┴───────┴──────┴─────────────┘',
      '',
      'Images created more than 30 days ago (0)',
      '(none)',
      '',
    ].join('\n'));
  });

  it('csv (golden): one table, a section column and the union of columns', () => {
    const csv = formatReport('csv', report);
    expect(csv).toBe('section,osType,images,account,regionId,imageId,name,missingTag,creationTime,ageDays\r\n' +
      'by_os_type,Linux,2,,,,,,,\r\n' +
      'missing_tag,,,a,r,m-1,x,owner,,\r\n');
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

describe('tags', () => {
  it('stored lists become objects like the current views give; objects pass through', () => {
    expect(tagsObject([{ key: 'team', value: 'a' }, { key: 'env', value: 'prod' }])).toEqual({ env: 'prod', team: 'a' });
    expect(tagsObject([])).toEqual({});
    expect(tagsObject({ env: 'prod' })).toEqual({ env: 'prod' });
  });
});
