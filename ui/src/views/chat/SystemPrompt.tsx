// The conversation's system prompt, edited in a panel under the header.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { ErrorNote } from '../../components/ErrorNote';
import { describeFailure } from './errors';

interface SystemPromptProps {
  value: string;
  onSave: (prompt: string) => Promise<void>;
  onClose: () => void;
}

export function SystemPrompt({ value, onSave, onClose }: SystemPromptProps) {
  const { t } = useTranslation();
  const [text, setText] = useState(value);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="chat-system"
      onSubmit={(event) => {
        event.preventDefault();
        setSaving(true);
        setError(null);
        onSave(text.trim()).then(
          () => {
            setSaving(false);
            onClose();
          },
          (failure: unknown) => {
            setSaving(false);
            setError(describeFailure(failure));
          },
        );
      }}
    >
      <label className="field">
        <span>{t('chat.system.label')}</span>
        <textarea
          className="input chat-system-text"
          rows={4}
          placeholder={t('chat.system.placeholder')}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </label>
      <div className="row">
        <button type="submit" className="button small" disabled={saving || text.trim() === value.trim()}>
          {saving ? t('common.saving') : t('common.save')}
        </button>
        <button type="button" className="button small secondary" onClick={onClose}>
          {t('common.close')}
        </button>
        <span className="muted small">{t('chat.system.help')}</span>
      </div>
      <ErrorNote message={error} />
    </form>
  );
}
