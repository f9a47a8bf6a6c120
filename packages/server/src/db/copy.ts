import { sql } from 'kysely'
import { isPostgresUrl, openDatabase, redactUrl } from './database.js'
import type { DB } from './schema.js'

const BATCH = 1_000

/**
 * Copies every row of a SQLite database into an empty PostgreSQL database: the way from one
 * instance on a file to several on PostgreSQL. Both are migrated to this version first, so the
 * tables match; the copy is one transaction, so it lands whole or not at all. Stop the server
 * that uses the file first. Returns the rows copied per table.
 */
export async function copyDatabase(from: string, to: string): Promise<Record<string, number>> {
  if (isPostgresUrl(from) || !isPostgresUrl(to)) {
    throw new Error('db copy goes from a SQLite file (--from) to a postgres:// URL (--to)')
  }
  const source = await openDatabase(from)
  try {
    const target = await openDatabase(to)
    try {
      const { rows: tables } = await sql<{ name: string }>`
        select name from sqlite_master
        where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'
        order by name`.execute(source.db)
      const counts: Record<string, number> = {}
      await target.transaction(async (tx) => {
        for (const { name } of tables) {
          const table = sql.table(name)
          const { rows } = await sql<{ n: number }>`select count(*) as n from ${table}`.execute(tx)
          if (Number(rows[0]?.n) > 0) throw new Error(`Table ${name} is not empty in ${redactUrl(to)}`)
          let copied = 0
          for (;;) {
            const page = await sql<Record<string, unknown>>`
              select * from ${table} order by rowid limit ${BATCH} offset ${copied}`.execute(source.db)
            if (page.rows.length === 0) break
            // Every table, whatever its columns: the rows go in as SQLite gave them.
            await tx
              .insertInto(name as keyof DB)
              .values(page.rows as never)
              .execute()
            copied += page.rows.length
          }
          counts[name] = copied
        }
      })
      return counts
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
}
