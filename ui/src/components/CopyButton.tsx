// A button that copies a value and says so for a moment.
import { useEffect, useState } from 'react';

import { t } from '../i18n';
import { copyText } from '../lib/browser';

interface CopyButtonProps {
  value: string;
  /** The accessible name, e.g. "Copy OpenAI base URL". */
  label?: string;
  className?: string;
}

export function CopyButton({ value, label = t.common.copy, className = 'button small secondary' }: CopyButtonProps) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state === 'idle') return undefined;
    const timer = setTimeout(() => setState('idle'), 1500);
    return () => clearTimeout(timer);
  }, [state]);

  const text = state === 'copied' ? t.common.copied : state === 'failed' ? t.common.copyFailed : t.common.copy;
  return (
    <button
      type="button"
      className={className}
      aria-label={label}
      onClick={() => {
        copyText(value).then(
          () => setState('copied'),
          () => setState('failed'),
        );
      }}
    >
      {text}
    </button>
  );
}
