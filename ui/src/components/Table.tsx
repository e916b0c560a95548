// A scrollable table with a header row of column titles; the rows are the children (`<tr>`s).
import type { ReactNode } from 'react';

export interface Column {
  label: string;
  /** Right-aligned numbers. */
  numeric?: boolean;
  /** A column of buttons: its title is for screen readers only. */
  hidden?: boolean;
}

export function Table({ columns, className, children }: { columns: Column[]; className?: string; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table className={className === undefined ? 'table' : `table ${className}`}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.label} scope="col" className={column.numeric === true ? 'num' : undefined}>
                {column.hidden === true ? <span className="visually-hidden">{column.label}</span> : column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
