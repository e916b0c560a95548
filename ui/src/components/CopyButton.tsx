// A button that copies a value to the system clipboard (through the shell's clipboard plugin) and
// says so for a moment.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { copyToClipboard } from '../api';

interface CopyButtonProps {
  value: string;
  /** The accessible name, e.g. "Copy OpenAI base URL"; "Copy" when absent. */
  label?: string;
  /** The visible text while idle; "Copy" when absent. */
  text?: string;
  className?: string;
}

export function CopyButton({ value, label, text, className = 'button small secondary' }: CopyButtonProps) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state === 'idle') return undefined;
    const timer = setTimeout(() => setState('idle'), 1500);
    return () => clearTimeout(timer);
  }, [state]);

  const shown = state === 'copied' ? t('common.copied') : state === 'failed' ? t('common.copyFailed') : (text ?? t('common.copy'));
  return (
    <button
      type="button"
      className={className}
      aria-label={label ?? text ?? t('common.copy')}
      onClick={() => {
        copyToClipboard(value).then(
          () => setState('copied'),
          () => setState('failed'),
        );
      }}
    >
      {shown}
    </button>
  );
}
