// The local endpoint's API keys: list (masked, with reveal and copy), add, regenerate, remove, and
// whether a key is required at all.
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';

import {
  addApiKey,
  regenerateApiKey,
  removeApiKey,
  setKeysRequired,
  type ApiKey,
} from '../api';
import { ConfirmButton } from '../components/ConfirmButton';
import { CopyButton } from '../components/CopyButton';
import { ErrorNote } from '../components/ErrorNote';
import { Field } from '../components/Field';
import { LoadingPage } from '../components/LoadingPage';
import { Switch } from '../components/Switch';
import { Table } from '../components/Table';
import { commandError, queryKeys, useApiKeysQuery } from '../hooks/queries';
import { useAction } from '../hooks/useAction';
import { describeError } from '../i18n';
import { formatDateTime, maskKey } from '../lib/format';

export function KeysView() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const query = useApiKeysQuery();
  const keys = query.data ?? null;
  const loadError = commandError(query.error);
  const { failure, setFailure, run: runAction } = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const reload = () => void client.invalidateQueries({ queryKey: queryKeys.apiKeys });

  const run = (command: () => Promise<unknown>, success?: string) => {
    setNotice(null);
    void runAction(command, () => {
      if (success) setNotice(success);
      reload();
    });
  };

  if (keys === null) {
    return <LoadingPage title={t('keys.heading')} error={loadError === null ? null : describeError(loadError)} />;
  }

  const lastRequired = keys.required && keys.keys.length <= 1;
  return (
    <section className="page" aria-labelledby="keys-heading">
      <h2 id="keys-heading" className="page-title">
        {t('keys.heading')}
      </h2>
      <p className="muted">{t('keys.intro')}</p>

      <div className="card">
        <Switch
          checked={keys.required}
          label={t('keys.requireLabel')}
          onChange={(required) => run(() => setKeysRequired(required))}
        />
        {!keys.required && <p className="warning-note">{t('keys.requireHelp')}</p>}
      </div>

      <ErrorNote message={failure} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}

      {keys.keys.length === 0 ? (
        <p className="empty">{t('keys.empty')}</p>
      ) : (
        <Table
          columns={[
            { label: t('keys.name') },
            { label: t('keys.created') },
            { label: t('keys.key') },
            { label: t('keys.actions'), hidden: true },
          ]}
        >
          {keys.keys.map((key) => (
            <KeyRow
              key={key.name}
              apiKey={key}
              removable={!lastRequired}
              onRegenerate={() => run(() => regenerateApiKey(key.name), t('keys.regenerated', { name: key.name }))}
              onRemove={() => run(() => removeApiKey(key.name))}
            />
          ))}
        </Table>
      )}
      {lastRequired && keys.keys.length > 0 && <p className="muted small">{t('keys.lastKeyRequired')}</p>}

      <AddKeyForm onAdded={(name) => {
        setFailure(null);
        setNotice(t('keys.added', { name }));
        reload();
      }} />
    </section>
  );
}

interface KeyRowProps {
  apiKey: ApiKey;
  removable: boolean;
  onRegenerate: () => void;
  onRemove: () => void;
}

function KeyRow({ apiKey, removable, onRegenerate, onRemove }: KeyRowProps) {
  const { t } = useTranslation();
  const [revealed, setRevealed] = useState(false);
  return (
    <tr>
      <th scope="row">{apiKey.name}</th>
      <td className="nowrap">{formatDateTime(apiKey.created_at)}</td>
      <td>
        <span className="key-cell">
          <code className="code-field" data-testid={`key-${apiKey.name}`}>
            {revealed ? apiKey.key : maskKey(apiKey.key)}
          </code>
          <button
            type="button"
            className="button small secondary"
            aria-pressed={revealed}
            aria-label={`${revealed ? t('keys.hide') : t('keys.reveal')} ${apiKey.name}`}
            onClick={() => setRevealed(!revealed)}
          >
            {revealed ? t('keys.hide') : t('keys.reveal')}
          </button>
          <CopyButton value={apiKey.key} label={`${t('common.copy')} ${apiKey.name}`} />
        </span>
      </td>
      <td className="actions">
        <ConfirmButton label={t('keys.regenerate')} question={t('keys.regenerateConfirm')} onConfirm={onRegenerate} />
        <ConfirmButton
          label={t('keys.remove')}
          question={t('keys.removeConfirm')}
          onConfirm={onRemove}
          disabled={!removable}
          danger
        />
      </td>
    </tr>
  );
}

function AddKeyForm({ onAdded }: { onAdded: (name: string) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const { busy, failure, run } = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(
      () => addApiKey(name.trim()),
      (key) => {
        setName('');
        onAdded(key.name);
      },
    );
  };

  return (
    <form className="card form" onSubmit={submit} aria-label={t('keys.addHeading')}>
      <h3 className="card-heading">{t('keys.addHeading')}</h3>
      <div className="row">
        <Field label={t('keys.name')} grow hideLabel>
          <input
            className="input"
            placeholder={t('keys.addPlaceholder')}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </Field>
        <button type="submit" className="button" disabled={busy || name.trim() === ''}>
          {t('keys.add')}
        </button>
      </div>
      <ErrorNote message={failure} />
    </form>
  );
}
