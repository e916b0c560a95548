// The account's model catalog: search, refresh, and copy an id to use in a client.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { listModels, type ModelInfo } from '../api';
import { CopyButton } from '../components/CopyButton';
import { ErrorNote } from '../components/ErrorNote';
import { Field } from '../components/Field';
import { Table } from '../components/Table';
import { commandError, queryKeys, useModelsQuery } from '../hooks/queries';
import { describeError } from '../i18n';
import { formatNumber } from '../lib/format';

function matchesQuery(model: ModelInfo, query: string): boolean {
  const needle = query.trim().toLowerCase();
  if (needle === '') return true;
  return [model.id, model.label, model.group, model.note].some((field) => field.toLowerCase().includes(needle));
}

export function ModelsView() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const models = useModelsQuery();
  // "Refresh" asks the site now instead of the few-minute cache, and puts the answer in the query.
  const refresh = useMutation({
    mutationFn: () => listModels(true),
    onSuccess: (catalog) => client.setQueryData(queryKeys.models, catalog),
  });
  const catalog = models.data ?? null;
  const failure = commandError(refresh.error ?? models.error);
  const refreshing = refresh.isPending;
  const [query, setQuery] = useState('');

  const shown = useMemo(() => catalog?.models.filter((model) => matchesQuery(model, query)) ?? [], [catalog, query]);

  return (
    <section className="page page-wide" aria-labelledby="models-heading">
      <div className="row spread">
        <h2 id="models-heading" className="page-title">
          {t('models.heading')}
        </h2>
        <button type="button" className="button small secondary" disabled={refreshing} onClick={() => refresh.mutate()}>
          {refreshing ? t('models.refreshing') : t('models.refresh')}
        </button>
      </div>

      {failure?.kind === 'not_signed_in' ? (
        <p className="empty">{t('models.notSignedIn')}</p>
      ) : (
        <ErrorNote message={failure === null ? null : describeError(failure)} />
      )}

      {catalog !== null && (
        <>
          <div className="filters" role="search">
            <Field label={t('models.search')} grow>
              <input className="input" type="search" value={query} onChange={(event) => setQuery(event.target.value)} />
            </Field>
            <span className="muted small align-end">{shown.length === catalog.models.length
                ? t('models.countAll', { total: formatNumber(catalog.models.length) })
                : t('models.countSome', { shown: formatNumber(shown.length), total: formatNumber(catalog.models.length) })}</span>
          </div>
          {catalog.models.length === 0 ? (
            <p className="empty">{t('models.empty')}</p>
          ) : shown.length === 0 ? (
            <p className="empty">{t('models.noMatch')}</p>
          ) : (
            <Table
              columns={[
                { label: t('models.id') },
                { label: t('models.label') },
                { label: t('models.group') },
                { label: t('models.price'), numeric: true },
                { label: t('models.vision') },
                { label: t('models.thinking') },
                { label: t('models.copyId'), hidden: true },
              ]}
            >
              {shown.map((model) => (
                <tr key={model.id} data-testid="model-row">
                  <th scope="row">
                    <code>{model.id}</code>
                    {model.id === catalog.default_model && <span className="tag">{t('models.default')}</span>}
                  </th>
                  <td>{model.label}</td>
                  <td>{model.group}</td>
                  <td className="num nowrap" title={model.price_text}>
                    {model.price_points === null ? model.price_text || t('common.none') : formatNumber(model.price_points)}
                  </td>
                  <td>{model.multimodal ? t('common.yes') : t('common.no')}</td>
                  <td>{model.thinking ? t('common.yes') : t('common.no')}</td>
                  <td>
                    <CopyButton value={model.id} label={`${t('models.copyId')} ${model.id}`} />
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </>
      )}
      {catalog === null && failure === null && <p className="muted">{t('common.loading')}</p>}
    </section>
  );
}
