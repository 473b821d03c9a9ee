/** The pure parts of `notifications` and `history --follow`: summaries, the test sample, follow lines. */
import { describe, expect, it } from 'vitest';
import { replaySummary, testSummary } from '../../src/cli/commands/notifications.js';
import { testEventBody, testWebhookId } from '../../src/notify/test-event.js';
import { HISTORY_LAYOUT } from '../../src/reports/layouts.js';
import { followLines, followPreamble } from '../../src/reports/format/format-follow.js';

const row = {
  observedAt: '2026-01-31T12:00:00.000Z', account: 'prod', regionId: 'cn-hangzhou', imageId: 'm-1', name: '网站镜像',
  kind: 'status_changed', fromStatus: 'creating', toStatus: 'available', changes: { status: { old: 4, new: 1 } }, eventId: '7', syncRunId: 'r-1',
};

describe('history --follow lines', () => {
  it('JSON lines with exactly the history keys; CSV header once, then records; table lines keep the answer, cut after it', () => {
    const json = followLines('json', HISTORY_LAYOUT, [row, { ...row, eventId: '8' }]);
    expect(json.split('\n')).toHaveLength(3);
    expect(Object.keys(JSON.parse(json.split('\n')[0] ?? '') as object)).toEqual(HISTORY_LAYOUT.fields);
    expect(followPreamble('csv', HISTORY_LAYOUT)).toBe(`${HISTORY_LAYOUT.fields.join(',')}\r\n`);
    const csv = followLines('csv', HISTORY_LAYOUT, [row]);
    expect(csv.startsWith('2026-01-31T12:00:00.000Z,prod,')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(followPreamble('json', HISTORY_LAYOUT)).toBe('');
    // Kind and change come first (the answer), then the image; name, account and region after them.
    expect(followLines('table', HISTORY_LAYOUT, [row], { width: null })).toBe('2026-01-31 12:00:00  status_changed  creating -> available  m-1  网站镜像  prod  cn-hangzhou\n');
    // Too narrow for the answer: it is printed whole (the terminal wraps it), the rest left out.
    expect(followLines('table', HISTORY_LAYOUT, [row], { width: 40 })).toBe('2026-01-31 12:00:00  status_changed  creating -> available  m-1\n');
    expect(followLines('table', HISTORY_LAYOUT, [row], { width: 80 })).toBe('2026-01-31 12:00:00  status_changed  creating -> available  m-1  网站镜像  prod…\n');
    // A CJK character takes two columns: the cut never ends half-way past the width.
    expect(followLines('table', HISTORY_LAYOUT, [row], { width: 70 })).toBe('2026-01-31 12:00:00  status_changed  creating -> available  m-1  网站…\n');
  });
});

describe('notifications summaries and the test sample', () => {
  it('replay and test say what happened in one line', () => {
    const since = new Date('2026-01-31T08:00:00Z');
    expect(replaySummary('http://h:8080', since, { subscription: 'ops', replayed: 3, revivedDead: 1, wasDelivered: 0, redelivered: 2, failed: 1, lastError: 'HTTP 503' }))
      .toBe('replay ops (http://h:8080): 3 events since 2026-01-31T08:00:00.000Z (1 dead revived): 2 re-delivered, 1 failed (left pending or dead, last error HTTP 503)\n');
    expect(replaySummary('http://h', since, { subscription: 'ops', replayed: 0, revivedDead: 0, wasDelivered: 0, redelivered: 0, failed: 0, lastError: null }))
      .toBe('replay ops (http://h): 0 events since 2026-01-31T08:00:00.000Z: 0 re-delivered, 0 failed\n');
    expect(testSummary('ops', 'http://h', 'test_ops_1', { ok: false, status: null, reason: 'ECONNREFUSED', retryAfterMs: null }))
      .toBe('test ops (http://h): ECONNREFUSED (webhook-id test_ops_1)\n');
  });

  it('the sample is marked as a test in every format', () => {
    const at = new Date('2026-01-31T08:00:00Z');
    expect(testWebhookId('ops', at, 'ab12')).toBe('test_ops_1769846400000_ab12');
    expect(JSON.parse(testEventBody('json', 'ops', at))).toMatchObject({ type: 'image.test', data: { test: true, eventId: 0, subscription: 'ops' } });
    expect((JSON.parse(testEventBody('slack', 'ops', at)) as { text: string }).text).toMatch(/test notification for subscription ops/);
    expect(JSON.parse(testEventBody('dingtalk', 'ops', at))).toMatchObject({ msgtype: 'text', text: { content: expect.stringMatching(/test notification/) as unknown } });
  });
});
