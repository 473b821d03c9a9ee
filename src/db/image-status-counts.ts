import { sql } from 'drizzle-orm';
import { queryRows, type Db } from './database.js';
import { STATUS_LABELS } from '../domain/vocabulary.js';

/** Current images by status label (unknown codes as their number, missing status as `unknown`). */
export async function countImagesByStatus(db: Db): Promise<Array<{ status: string; count: number }>> {
  const rows = await queryRows<{ status: number | null; count: string | number }>(db, sql`
    select status, count(*) as count from swas.custom_images where deleted_at is null group by status`);
  return rows.map((r) => ({
    status: r.status === null ? 'unknown' : STATUS_LABELS[r.status] ?? String(r.status),
    count: Number(r.count),
  }));
}
