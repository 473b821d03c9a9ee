/** Titles and columns of the `report` sections (the queries are in sql/report-queries.ts). */
import type { Column } from './format/columns.js';
import type { ReportSection } from './sql/report-queries.js';

const IMAGE: Column[] = [
  { key: 'account', header: 'Account', drop: 3 }, { key: 'regionId', header: 'Region', drop: 2 },
  { key: 'imageId', header: 'Image' }, { key: 'name', header: 'Name', shrinkTo: 16 },
];

export const SECTION_LAYOUT: Record<ReportSection, { title: (p: ReportParameters) => string; columns: Column[] }> = {
  by_region_status: {
    title: () => 'Images by region and status',
    columns: [{ key: 'regionId', header: 'Region' }, { key: 'status', header: 'Status' }, { key: 'images', header: 'Images', align: 'right' }],
  },
  by_os_type: {
    title: () => 'Images by OS type',
    columns: [{ key: 'osType', header: 'OS type' }, { key: 'images', header: 'Images', align: 'right' }],
  },
  failed_or_unavailable: {
    title: () => 'Images in creation_failed or unavailable status',
    columns: [...IMAGE, { key: 'status', header: 'Status' }],
  },
  older_than: {
    title: (p) => `Images created more than ${p.olderThanDays} days ago`,
    columns: [...IMAGE, { key: 'creationTime', header: 'Created', time: true, drop: 4 }, { key: 'ageDays', header: 'Age (days)', align: 'right' }],
  },
  never_used: {
    title: () => 'Images no instance was created from',
    columns: [...IMAGE, { key: 'creationTime', header: 'Created', time: true, drop: 4 }],
  },
  missing_tag: {
    title: (p) => `Images missing a required tag (${p.requireTags.join(', ')})`,
    columns: [...IMAGE, { key: 'missingTag', header: 'Missing tag' }],
  },
  changes_by_kind: {
    title: (p) => `Changes in the last ${p.changesDays} days by kind`,
    columns: [{ key: 'kind', header: 'Kind' }, { key: 'events', header: 'Events', align: 'right' }],
  },
};

export interface ReportParameters {
  generatedAt: string;
  olderThanDays: number;
  changesDays: number;
  requireTags: string[];
  accounts: string[];
  regions: string[];
}
