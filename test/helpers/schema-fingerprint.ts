/**
 * Everything in the `swas` schema that a migration defines, read from pg_catalog as sorted text
 * lines: relations and their columns (type, default, nullability, order), view definitions,
 * function definitions, triggers, indexes, constraints, reloptions and grants. Two databases with
 * equal fingerprints have the same schema, whatever path of migrations brought them there.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../src/db/database.js';

const QUERIES: Record<string, string> = {
  relation: `select c.relname || ' kind=' || c.relkind::text || ' options=' || coalesce(array_to_string(c.reloptions, ','), '') AS line
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'swas'`,
  column: `select c.relname || '.' || a.attnum || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
      || case when a.attnotnull then ' not null' else '' end
      || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS line
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname = 'swas' and a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'v', 'm', 'p', 'f')`,
  view: `select c.relname || ': ' || pg_get_viewdef(c.oid, true) AS line
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'swas' and c.relkind in ('v', 'm')`,
  function: `select pg_get_functiondef(p.oid) AS line
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'swas'`,
  trigger: `select pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text AS line
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'swas' and not t.tgisinternal`,
  index: `select pg_get_indexdef(i.indexrelid) AS line
    from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'swas'`,
  constraint: `select c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid) AS line
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'swas'`,
  grant: `select c.relname || ' ' || (case when g.grantee = 0 then 'public' else g.grantee::regrole::text end) || ' ' || g.privilege_type AS line
    from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) g
    where n.nspname = 'swas' and c.relacl is not null
    union all
    select p.oid::regprocedure::text || ' ' || (case when g.grantee = 0 then 'public' else g.grantee::regrole::text end) || ' ' || g.privilege_type
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace, aclexplode(p.proacl) g
    where n.nspname = 'swas' and p.proacl is not null
    union all
    select 'schema swas ' || (case when g.grantee = 0 then 'public' else g.grantee::regrole::text end) || ' ' || g.privilege_type
    from pg_namespace n, aclexplode(n.nspacl) g where n.nspname = 'swas'`,
};

export async function schemaFingerprint(db: Db): Promise<string[]> {
  const lines: string[] = [];
  for (const [what, query] of Object.entries(QUERIES)) {
    const rows = await queryRows<{ line: string }>(db, sql.raw(query));
    for (const r of rows) lines.push(`${what} ${r.line}`);
  }
  return lines.sort();
}
