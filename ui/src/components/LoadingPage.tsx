// A page whose data has not arrived: its title, then why it failed or that it is loading.
import { useTranslation } from 'react-i18next';

import { ErrorNote } from './ErrorNote';

export function LoadingPage({ title, error }: { title: string; error: string | null }) {
  const { t } = useTranslation();
  return (
    <section className="page">
      <h2 className="page-title">{title}</h2>
      {error !== null ? <ErrorNote message={error} /> : <p className="muted">{t('common.loading')}</p>}
    </section>
  );
}
