// Settings: language and theme, start at login, concurrency, the listen address, LAN mode,
// previews, history retention and model aliases. The save model: switches and choices apply on
// change; a card with typed values has one Save button, enabled only while every value is valid
// (each invalid field says why inline), and "Saved" shows only while the card holds what was saved.
// The core validates every change again and applies it live.
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';

import {
  checkConnection,
  setAutostart,
  THEMES,
  toCommandError,
  updateSettings,
  type ConnectionCheck,
  type Settings,
  type SettingsPatch,
  type Theme,
} from '../api';
import { Card } from '../components/Card';
import { getChatShortcut, setChatShortcut } from '../api/chat';
import { ErrorNote } from '../components/ErrorNote';
import { Field } from '../components/Field';
import { LoadingPage } from '../components/LoadingPage';
import { NumberField, wholeNumberIn } from '../components/NumberField';
import { NotificationsCard } from '../components/overview/NotificationsCard';
import { Switch } from '../components/Switch';
import { commandError, queryKeys, useAutostartQuery, useSettingsQuery } from '../hooks/queries';
import { useAction } from '../hooks/useAction';
import { useTranslation } from 'react-i18next';

import { changeLanguage, currentLanguage, describeError, LANGUAGES, type Language } from '../i18n';
import { changeTheme, currentTheme } from '../theme';

type Save = (patch: SettingsPatch) => Promise<string | null>;

export function SettingsView() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const query = useSettingsQuery();
  const settings = query.data ?? null;
  const failure = commandError(query.error);
  const loadError = failure === null ? null : describeError(failure);

  /** Saves a patch; resolves to the error message, or `null` when it was saved. */
  const save: Save = useCallback(
    (patch) =>
      updateSettings(patch).then(
        (next) => {
          client.setQueryData(queryKeys.settings, next);
          return null;
        },
        (error: unknown) => describeError(toCommandError(error)),
      ),
    [client],
  );

  if (settings === null) {
    return <LoadingPage title={t('settings.heading')} error={loadError} />;
  }

  // Each card keeps its own draft from when it was shown, so a save's outcome (or a failed move
  // of the listener, which saves and then restores the address) never wipes what the user typed.
  return (
    <section className="page" aria-labelledby="settings-heading">
      <h2 id="settings-heading" className="page-title">
        {t('settings.heading')}
      </h2>
      <div className="settings-grid">
        <AppearanceCard />
        <AutostartCard />
        <ChatShortcutCard />
        <ConcurrencyCard value={settings.concurrency} save={save} />
        <ListenCard host={settings.host} port={settings.port} save={save} />
        <LanCard lanMode={settings.lan_mode} save={save} />
        <PreviewsCard previews={settings.previews} save={save} />
        <RetentionCard retention={settings.retention} save={save} />
        <AliasesCard aliases={settings.aliases} save={save} />
        <UpstreamCard settings={settings} save={save} />
        <NotificationsCard settings={settings} />
      </div>
    </section>
  );
}

/** A card with a form whose submit saves a patch and shows the outcome inline. */
function SettingsCard({
  id,
  title,
  children,
  patch,
  save,
  invalid = false,
  wide = false,
}: {
  id: string;
  title: string;
  children: ReactNode;
  patch: () => SettingsPatch;
  save: Save;
  /** Some value is invalid (its field says why): nothing can be saved. */
  invalid?: boolean;
  wide?: boolean;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  /** What the last successful save sent; "Saved" shows only while the card still holds it. */
  const [saved, setSaved] = useState<string | null>(null);
  const current = JSON.stringify(patch());

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (invalid) return;
    setBusy(true);
    setFailure(null);
    setSaved(null);
    const sent = current;
    save(JSON.parse(sent) as SettingsPatch)
      .then((error) => {
        setFailure(error);
        setSaved(error === null ? sent : null);
      })
      .finally(() => setBusy(false));
  };

  return (
    <form className={wide ? 'card form card-wide' : 'card form'} onSubmit={submit} aria-labelledby={id}>
      <h3 id={id} className="card-heading">
        {title}
      </h3>
      {children}
      <ErrorNote message={failure} />
      <div className="row">
        <button type="submit" className="button" disabled={busy || invalid}>
          {busy ? t('common.saving') : t('common.save')}
        </button>
        {saved === current && !invalid && (
          <span className="muted small" role="status">
            {t('common.saved')}
          </span>
        )}
      </div>
    </form>
  );
}

function ConcurrencyCard({ value, save }: { value: number; save: Save }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(String(value));
  return (
    <SettingsCard
      id="settings-concurrency"
      title={t('settings.concurrencyHeading')}
      save={save}
      patch={() => ({ concurrency: Number(draft) })}
      invalid={!wholeNumberIn(draft, 1, 64)}
    >
      <NumberField label={t('settings.concurrencyLabel')} value={draft} onChange={setDraft} min={1} max={64} />
      <p className="muted small">{t('settings.concurrencyHelp')}</p>
    </SettingsCard>
  );
}

function ListenCard({ host, port, save }: { host: string; port: number; save: Save }) {
  const { t } = useTranslation();
  const [hostDraft, setHostDraft] = useState(host);
  const [portDraft, setPortDraft] = useState(String(port));
  return (
    <SettingsCard
      id="settings-listen"
      title={t('settings.listenHeading')}
      save={save}
      patch={() => ({ host: hostDraft.trim(), port: Number(portDraft) })}
      invalid={hostDraft.trim() === '' || !wholeNumberIn(portDraft, 0, 65535)}
    >
      <div className="row">
        <Field label={t('settings.hostLabel')} grow>
          <input className="input" value={hostDraft} onChange={(event) => setHostDraft(event.target.value)} required />
        </Field>
        <NumberField
          label={t('settings.portLabel')}
          value={portDraft}
          onChange={setPortDraft}
          min={0}
          max={65535}
          grouped={false}
        />
      </div>
      <p className="muted small">{t('settings.listenHelp')}</p>
    </SettingsCard>
  );
}

function LanCard({ lanMode, save }: { lanMode: boolean; save: Save }) {
  const { t } = useTranslation();
  const [failure, setFailure] = useState<string | null>(null);
  return (
    <Card id="settings-lan" level={3} title={t('settings.lanHeading')}>
      <Switch
        checked={lanMode}
        label={t('settings.lanLabel')}
        onChange={(next) => {
          setFailure(null);
          save({ lan_mode: next }).then(setFailure);
        }}
      />
      <p className="warning-note">{t('settings.lanWarning')}</p>
      <ErrorNote message={failure} />
    </Card>
  );
}

function PreviewsCard({ previews, save }: { previews: Settings['previews']; save: Save }) {
  const { t } = useTranslation();
  const [enabled, setEnabled] = useState(previews.enabled);
  const [maxBytes, setMaxBytes] = useState(String(previews.max_bytes));
  return (
    <SettingsCard
      id="settings-previews"
      title={t('settings.previewsHeading')}
      save={save}
      patch={() => ({ previews: { enabled, max_bytes: Number(maxBytes) } })}
      invalid={!wholeNumberIn(maxBytes, 64, 65536)}
    >
      <Switch checked={enabled} label={t('settings.previewsLabel')} onChange={setEnabled} />
      <p className="muted small">{t('settings.previewsHelp')}</p>
      <NumberField label={t('settings.previewBytes')} value={maxBytes} onChange={setMaxBytes} min={64} max={65536} />
    </SettingsCard>
  );
}

function RetentionCard({ retention, save }: { retention: Settings['retention']; save: Save }) {
  const { t } = useTranslation();
  const [days, setDays] = useState(String(retention.max_age_days));
  const [rows, setRows] = useState(String(retention.max_rows));
  const [mb, setMb] = useState(String(retention.max_mb));
  return (
    <SettingsCard
      id="settings-retention"
      title={t('settings.retentionHeading')}
      save={save}
      patch={() => ({ retention: { max_age_days: Number(days), max_rows: Number(rows), max_mb: Number(mb) } })}
      invalid={!wholeNumberIn(days, 1) || !wholeNumberIn(rows, 100) || !wholeNumberIn(mb, 1)}
    >
      <div className="row wrap">
        <NumberField label={t('settings.retentionDays')} value={days} onChange={setDays} min={1} />
        <NumberField label={t('settings.retentionRows')} value={rows} onChange={setRows} min={100} />
        <NumberField label={t('settings.retentionMb')} value={mb} onChange={setMb} min={1} />
      </div>
    </SettingsCard>
  );
}

interface AliasRow {
  id: number;
  alias: string;
  target: string;
}

function AliasesCard({ aliases, save }: { aliases: Record<string, string>; save: Save }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<AliasRow[]>(() =>
    Object.entries(aliases).map(([alias, target], index) => ({ id: index, alias, target })),
  );
  const [nextId, setNextId] = useState(rows.length);

  const change = (id: number, field: 'alias' | 'target', value: string) =>
    setRows(rows.map((row) => (row.id === id ? { ...row, [field]: value } : row)));

  return (
    <SettingsCard
      id="settings-aliases"
      title={t('settings.aliasesHeading')}
      wide
      save={save}
      patch={() => ({
        aliases: Object.fromEntries(
          rows.filter((row) => row.alias.trim() !== '' || row.target.trim() !== '').map((row) => [row.alias.trim(), row.target.trim()]),
        ),
      })}
    >
      <p className="muted small">{t('settings.aliasesHelp')}</p>
      {rows.length === 0 ? (
        <p className="muted">{t('settings.noAliases')}</p>
      ) : (
        <ul className="alias-list">
          {rows.map((row, index) => (
            <li key={row.id} className="row">
              <input
                className="input grow"
                aria-label={`${t('settings.alias')} ${index + 1}`}
                placeholder={t('settings.alias')}
                value={row.alias}
                onChange={(event) => change(row.id, 'alias', event.target.value)}
              />
              <span aria-hidden="true" className="muted">
                →
              </span>
              <input
                className="input grow"
                aria-label={`${t('settings.target')} ${index + 1}`}
                placeholder={t('settings.target')}
                value={row.target}
                onChange={(event) => change(row.id, 'target', event.target.value)}
              />
              <button
                type="button"
                className="button small secondary"
                aria-label={`${t('settings.removeAlias')} ${row.alias || index + 1}`}
                onClick={() => setRows(rows.filter((other) => other.id !== row.id))}
              >
                {t('settings.removeAlias')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <button
        type="button"
        className="button small secondary"
        onClick={() => {
          setRows([...rows, { id: nextId, alias: '', target: '' }]);
          setNextId(nextId + 1);
        }}
      >
        {t('settings.addAlias')}
      </button>
    </SettingsCard>
  );
}

/** The site in use (it may move), discovery, the proxy, and "check connection". */
function UpstreamCard({ settings, save }: { settings: Settings; save: Save }) {
  const { t } = useTranslation();
  const [proxy, setProxy] = useState(settings.upstream_proxy);
  const [discovery, setDiscovery] = useState(settings.upstream_discovery);
  const [checking, setChecking] = useState(false);
  const [check, setCheck] = useState<ConnectionCheck | null>(null);
  const [checkError, setCheckError] = useState<string | null>(null);

  const runCheck = () => {
    setChecking(true);
    setCheck(null);
    setCheckError(null);
    checkConnection()
      .then(setCheck, (error: unknown) => setCheckError(describeError(toCommandError(error))))
      .finally(() => setChecking(false));
  };

  return (
    <SettingsCard
      id="settings-upstream"
      title={t('settings.upstreamHeading')}
      save={save}
      wide
      patch={() => ({ upstream_proxy: proxy.trim(), upstream_discovery: discovery })}
    >
      <p className="small">
        {t('settings.siteLine')}: <code>{settings.upstream_base_url}</code> ({t('settings.appVersion')}{' '}
        <code>{settings.upstream_app_version}</code>)
      </p>
      <Switch checked={discovery} label={t('settings.discoveryLabel')} onChange={setDiscovery} />
      <Field label={t('settings.proxyLabel')}>
        <input
          className="input"
          value={proxy}
          onChange={(event) => setProxy(event.target.value)}
          placeholder={t('settings.proxyPlaceholder')}
          spellCheck={false}
          autoComplete="off"
        />
      </Field>
      <p className="muted small">{t('settings.proxyHelp')}</p>
      <div className="row">
        <button type="button" className="button secondary" onClick={runCheck} disabled={checking}>
          {checking ? t('settings.checking') : t('settings.checkConnection')}
        </button>
        {check && (
          <span className="small" role="status">
            {check.ok
              ? `${t('settings.connectionOk')}: ${check.origin} (${check.proxy})`
              : `${t('settings.connectionFailed')}: ${check.error ?? ''}`}
          </span>
        )}
      </div>
      <ErrorNote message={checkError} />
    </SettingsCard>
  );
}

/** Language and theme: UI-only preferences, applied at once and remembered in the store. */
function AppearanceCard() {
  const { t } = useTranslation();
  const [language, setLanguage] = useState<Language>(currentLanguage);
  const [theme, setTheme] = useState<Theme>(currentTheme);
  return (
    <Card id="settings-appearance" level={3} title={t('settings.appearanceHeading')} className="form">
      <ChoiceField
        label={t('settings.languageLabel')}
        testId="language-select"
        value={language}
        options={LANGUAGES}
        optionLabel={(option) => t(`languages.${option}`)}
        // Each language's name is written in that language.
        optionLang
        onChange={(next) => {
          setLanguage(next);
          void changeLanguage(next);
        }}
      />
      <ChoiceField
        label={t('settings.themeLabel')}
        testId="theme-select"
        value={theme}
        options={THEMES}
        optionLabel={(option) => t(`settings.themes.${option}`)}
        onChange={(next) => {
          setTheme(next);
          void changeTheme(next);
        }}
      />
    </Card>
  );
}

/** A labelled choice among `options`, applied on change. */
function ChoiceField<T extends string>({
  label,
  value,
  options,
  optionLabel,
  optionLang = false,
  testId,
  onChange,
}: {
  label: string;
  /** The `data-testid` of the select, for the desktop end-to-end suite. */
  testId?: string;
  value: T;
  options: readonly T[];
  optionLabel: (option: T) => string;
  /** Mark each option as written in the language it names. */
  optionLang?: boolean;
  onChange: (next: T) => void;
}) {
  return (
    <Field label={label}>
      <select
        className="input"
        data-testid={testId}
        value={value}
        onChange={(event) => onChange(event.target.value as T)}
      >
        {options.map((option) => (
          <option key={option} value={option} lang={optionLang ? option : undefined}>
            {optionLabel(option)}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** Start at login: saved on change; the tray's check mark follows. */
function AutostartCard() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const query = useAutostartQuery();
  const { failure, run } = useAction();
  const unsupported = commandError(query.error)?.kind === 'unsupported';
  return (
    <Card id="settings-autostart" level={3} title={t('settings.autostartHeading')}>
      {unsupported ? (
        <p className="muted small">{t('settings.autostartUnavailable')}</p>
      ) : (
        <Switch
          checked={query.data === true}
          disabled={query.data === undefined}
          label={t('settings.autostartLabel')}
          onChange={(next) =>
            void run(
              () => setAutostart(next),
              (enabled) => client.setQueryData(queryKeys.autostart, enabled),
            )
          }
        />
      )}
      <ErrorNote message={failure} />
    </Card>
  );
}

/** The global shortcut that opens the chat window: typed as an accelerator, saved with Save,
 * removed with Clear; the shell refuses one it cannot register and keeps the old one. */
function ChatShortcutCard() {
  const { t } = useTranslation();
  const [saved, setSaved] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [loaded, setLoaded] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  useEffect(() => {
    let live = true;
    getChatShortcut().then(
      (shortcut) => {
        if (!live) return;
        setSaved(shortcut);
        setDraft(shortcut ?? '');
        setLoaded(true);
      },
      (error: unknown) => {
        if (live) setFailure(describeError(toCommandError(error)));
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const apply = (next: string | null) => {
    setFailure(null);
    setDone(false);
    setChatShortcut(next).then(
      () => {
        setSaved(next);
        setDraft(next ?? '');
        setDone(true);
      },
      (error: unknown) => setFailure(describeError(toCommandError(error))),
    );
  };

  const trimmed = draft.trim();
  const unchanged = trimmed === (saved ?? '');
  return (
    <form
      className="card form"
      aria-labelledby="settings-chat-shortcut"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        apply(trimmed === '' ? null : trimmed);
      }}
    >
      <h3 id="settings-chat-shortcut" className="card-heading">
        {t('chatShortcut.heading')}
      </h3>
      <label className="field">
        <span>{t('chatShortcut.label')}</span>
        <input
          className="input"
          type="text"
          value={draft}
          disabled={!loaded}
          placeholder={t('chatShortcut.placeholder')}
          spellCheck={false}
          onChange={(event) => {
            setDraft(event.target.value);
            setDone(false);
          }}
        />
      </label>
      <p className="muted small">{t('chatShortcut.help')}</p>
      <ErrorNote message={failure} />
      <div className="row">
        <button type="submit" className="button" disabled={!loaded || unchanged}>
          {t('common.save')}
        </button>
        <button
          type="button"
          className="button secondary"
          disabled={!loaded || saved === null}
          onClick={() => apply(null)}
        >
          {t('chatShortcut.clear')}
        </button>
        {done && unchanged && (
          <span className="muted small" role="status">
            {t('common.saved')}
          </span>
        )}
      </div>
    </form>
  );
}
