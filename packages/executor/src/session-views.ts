import type { EngineSession } from "./engine-session.js";
import { tableViewStatement, type TableViewSource } from "./table-view-statement.js";

/**
 * Creates the views in one round trip, except those whose statement is unchanged since the
 * session's connection last created them (the same files, columns and per-query files): a view
 * stays on its connection after the query and is recorded in `session.views`. That is safe as
 * long as every query first (re)creates the views of all the tables it reads, and only names
 * tables the SQL guard admits: a view a query does not name is never used.
 */
export async function createChangedViews(
  session: EngineSession,
  views: readonly TableViewSource[],
): Promise<void> {
  const changed = new Map<string, string>();
  for (const view of views) {
    const statement = tableViewStatement(view);
    const name = view.name.toLowerCase();
    if (session.views.get(name) !== statement) changed.set(name, statement);
  }
  if (changed.size === 0) return;
  for (const name of changed.keys()) session.views.delete(name);
  await session.run([...changed.values()].join(";\n"));
  for (const [name, statement] of changed) session.views.set(name, statement);
}
