// A whole-number field with its range check: the label above, the inline error under it, and the
// value with thousands separators beside it once it has four digits or more (tied to the input
// with `aria-describedby`, so the label stays the input's name).
import { useId } from 'react';
import { useTranslation } from 'react-i18next';

import { formatNumber } from '../lib/format';

/** Whether `value` is a whole number within `min`..`max` (no upper bound without `max`). */
export function wholeNumberIn(value: string, min: number, max?: number): boolean {
  if (!/^\d+$/.test(value.trim())) return false;
  const number = Number(value);
  return number >= min && (max === undefined || number <= max);
}

interface NumberFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  min: number;
  max?: number;
  /** Show the grouped value (off for numbers that are not amounts, such as a port). */
  grouped?: boolean;
}

export function NumberField({ label, value, onChange, min, max, grouped = true }: NumberFieldProps) {
  const { t } = useTranslation();
  const inputId = useId();
  const hintId = useId();
  const valid = wholeNumberIn(value, min, max);
  const problem = valid
    ? null
    : max === undefined
      ? t('settings.numberMin', { min: formatNumber(min) })
      : t('settings.numberRange', { min: formatNumber(min), max: formatNumber(max) });
  const showGrouped = grouped && valid && Number(value) >= 1000;
  // Not `Field`: the label names the input by `htmlFor`, so the grouped value and the error beside
  // it stay out of the label's text.
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <span className="row">
        <input
          id={inputId}
          className="input narrow"
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          value={value}
          aria-invalid={!valid}
          aria-describedby={showGrouped ? hintId : undefined}
          onChange={(event) => onChange(event.target.value)}
          required
        />
        {showGrouped && (
          <span id={hintId} className="muted small" data-testid="number-grouped">
            {formatNumber(Number(value))}
          </span>
        )}
      </span>
      {problem !== null && (
        <span className="field-error" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}
