// The first-run guide: sign in → copy the address and key into Cherry Studio or Claude Code →
// done. It opens by itself once the account is first signed in (until finished, remembered in the
// UI preferences) and again from the Status view's "Set up a client".
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { loadPreferences, savePreference, type StatusSnapshot } from '../api';
import { Card } from '../components/Card';
import { CopyButton } from '../components/CopyButton';
import { useApiKeysQuery } from '../hooks/queries';
import '../components/overview/overview.css';

const PREFERENCES_KEY = ['preferences', 'first-run'] as const;

/** The model Claude Code is pointed at in the hint: the site's Sonnet (its `opus` alias goes there too). */
export const CLAUDE_CODE_MODEL = 'claude-sonnet-4-6';

// Product names, the same in every language.
const CHERRY_STUDIO = 'Cherry Studio';
const CLAUDE_CODE = 'Claude Code';

type Step = 'client' | 'done';

export function FirstRunGuide({ snapshot }: { snapshot: StatusSnapshot }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const preferences = useQuery({ queryKey: PREFERENCES_KEY, queryFn: loadPreferences, staleTime: Infinity });
  const [opened, setOpened] = useState(false);
  const [step, setStep] = useState<Step>('client');
  const signedIn = snapshot.account !== null && snapshot.login.state === 'logged_in' && snapshot.demo !== true;
  const done = preferences.data?.firstRunDone === true;
  // Shown by itself on the first successful sign-in; by the button afterwards.
  const shown = opened || (preferences.isSuccess && !done && signedIn);

  const toDone = () => setStep('done');
  const finish = () => {
    setOpened(false);
    setStep('client');
    void savePreference('firstRunDone', true).then(() => client.invalidateQueries({ queryKey: PREFERENCES_KEY }));
  };

  if (!shown) {
    return (
      <div className="row">
        <button type="button" className="button small secondary" onClick={() => setOpened(true)}>
          {t('overview.firstRun.open')}
        </button>
      </div>
    );
  }
  return (
    <Card
      id="first-run-heading"
      title={t('overview.firstRun.heading')}
      className="card-wide"
      aside={
        <button type="button" className="button small secondary" onClick={finish}>
          {t('common.close')}
        </button>
      }
    >
      <ol className="fr-steps" aria-label={t('overview.firstRun.steps')}>
        <li aria-current={!signedIn ? 'step' : undefined}>{t('overview.firstRun.stepSignIn')}</li>
        <li aria-current={signedIn && step === 'client' ? 'step' : undefined}>{t('overview.firstRun.stepClient')}</li>
        <li aria-current={signedIn && step === 'done' ? 'step' : undefined}>{t('overview.firstRun.stepDone')}</li>
      </ol>
      {!signedIn ? (
        <p className="muted">{t('overview.firstRun.signInFirst')}</p>
      ) : step === 'client' ? (
        <ClientStep url={snapshot.url} onNext={toDone} />
      ) : (
        <>
          <p>{t('overview.firstRun.doneText')}</p>
          <button type="button" className="button" onClick={finish}>
            {t('overview.firstRun.finish')}
          </button>
        </>
      )}
    </Card>
  );
}

function ClientStep({ url, onNext }: { url: string | null; onNext: () => void }) {
  const { t } = useTranslation();
  const keys = useApiKeysQuery();
  const key = keys.data?.keys[0]?.key ?? null;
  if (url === null) return <p className="muted">{t('overview.firstRun.notListening')}</p>;
  const shownKey = key ?? t('overview.firstRun.anyKey');
  const command = `ANTHROPIC_BASE_URL=${url} ANTHROPIC_AUTH_TOKEN=${key ?? 'any'} ANTHROPIC_MODEL=${CLAUDE_CODE_MODEL} claude`;
  return (
    <>
      <div className="fr-client">
        <h3 className="subheading">{CHERRY_STUDIO}</h3>
        <p className="muted small">{t('overview.firstRun.cherryHelp')}</p>
        <Pair label={t('overview.firstRun.cherryHost')} value={url} />
        <Pair label={t('overview.firstRun.cherryKey')} value={shownKey} copy={key} />
      </div>
      <div className="fr-client">
        <h3 className="subheading">{CLAUDE_CODE}</h3>
        <p className="muted small">{t('overview.firstRun.claudeHelp', { model: CLAUDE_CODE_MODEL })}</p>
        <Pair label="ANTHROPIC_BASE_URL" value={url} />
        <Pair label="ANTHROPIC_AUTH_TOKEN" value={shownKey} copy={key} />
        <Pair label="ANTHROPIC_MODEL" value={CLAUDE_CODE_MODEL} />
        <Pair label={t('overview.firstRun.claudeCommand')} value={command} />
      </div>
      <button type="button" className="button" onClick={onNext}>
        {t('overview.firstRun.next')}
      </button>
    </>
  );
}

/** A label, the exact text to paste, and a copy button (none when there is nothing to copy). */
function Pair({ label, value, copy = value }: { label: string; value: string; copy?: string | null }) {
  const { t } = useTranslation();
  return (
    <div className="fr-pair">
      <span className="muted small">{label}</span>
      <code>{value}</code>
      {copy === null ? <span /> : <CopyButton value={copy} label={`${t('common.copy')} ${label}`} />}
    </div>
  );
}
