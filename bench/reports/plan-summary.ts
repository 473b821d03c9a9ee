/** Reads an EXPLAIN (ANALYZE, FORMAT JSON) result: server time and how each table was read. Pure. */

export interface PlanSummary {
  executionMs: number;
  planningMs: number;
  /** `Index Scan using custom_image_versions_valid_during_idx on custom_image_versions`, ... */
  indexScans: string[];
  /** Tables read by a sequential scan. */
  seqScans: string[];
  rows: number;
  /** Shared buffers hit or read: the work done, unlike time independent of other load on the machine. */
  buffers: number;
}

interface PlanNode {
  'Node Type'?: string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

export function summarizePlan(explain: unknown): PlanSummary {
  const top = (Array.isArray(explain) ? explain[0] : explain) as { Plan: PlanNode; 'Execution Time': number; 'Planning Time': number };
  const indexScans: string[] = [];
  const seqScans: string[] = [];
  const visit = (node: PlanNode) => {
    const type = node['Node Type'] ?? '';
    if (node['Index Name']) indexScans.push(`${type} using ${node['Index Name']}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}`);
    if (type === 'Seq Scan' && node['Relation Name']) seqScans.push(node['Relation Name']);
    for (const child of node.Plans ?? []) visit(child);
  };
  visit(top.Plan);
  return {
    executionMs: top['Execution Time'],
    planningMs: top['Planning Time'],
    indexScans: [...new Set(indexScans)],
    seqScans: [...new Set(seqScans)],
    rows: top.Plan['Actual Rows'] ?? 0,
    // The top node's counts include its children's.
    buffers: (top.Plan['Shared Hit Blocks'] ?? 0) + (top.Plan['Shared Read Blocks'] ?? 0),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
