// A form field: its label above the control (an input or select, and any inline error after it).
import type { ReactNode } from 'react';

interface FieldProps {
  label: string;
  /** Take the row's free width. */
  grow?: boolean;
  /** The label is for screen readers only (a placeholder says it on screen). */
  hideLabel?: boolean;
  children: ReactNode;
}

export function Field({ label, grow = false, hideLabel = false, children }: FieldProps) {
  return (
    <label className={grow ? 'field grow' : 'field'}>
      <span className={hideLabel ? 'visually-hidden' : undefined}>{label}</span>
      {children}
    </label>
  );
}
