// The plain-text tables the eval reports print (eval, eval-photos, eval --hosts): columns aligned,
// fractions as whole percents, one table per target kind where a report has several.

/** A fraction as a whole percent: 0.5 → '50%'. */
export function percent(v: number): string {
  return `${(100 * v).toFixed(0)}%`;
}

/** A plain-text table: header, a rule, rows; the first `leftColumns` columns flush left, the rest right. */
export function formatTable(header: string[], rows: string[][], leftColumns: number): string[] {
  const table = [header, ...rows];
  const widths = header.map((_, j) => Math.max(...table.map((r) => r[j]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, j) => (j < leftColumns ? c.padEnd(widths[j]!) : c.padStart(widths[j]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** A `target: <kind>` heading and a table of that kind's rows for each target kind, in the order given. */
export function formatTargetTables<Row extends { target: string }>(
  targets: readonly string[],
  rows: readonly Row[],
  columns: readonly string[],
  cells: (row: Row) => string[],
): string[] {
  const lines: string[] = [];
  for (const target of targets) {
    const ofTarget = rows.filter((r) => r.target === target);
    lines.push('', `target: ${target}`, ...formatTable([...columns], ofTarget.map(cells), 2));
  }
  return lines;
}
