// The first screen: is the gateway listening, how do apps connect, is the Taiji account signed in,
// and how busy is it right now.
import { useState, type FormEvent } from 'react';

import {
  enterDemo,
  leaveDemo,
  login,
  logout,
  startGateway,
  stopGateway,
  toCommandError,
  type SignInState,
  type StatusSnapshot,
} from '../api';
import { CopyButton } from '../components/CopyButton';
import { FirstRunGuide } from './FirstRunGuide';
import { ErrorNote } from '../components/ErrorNote';
import type { StatusModel } from '../hooks/queries';
import { useTranslation } from 'react-i18next';

import { describeError } from '../i18n';
import { formatDateTime, formatNumber } from '../lib/format';

interface StatusViewProps {
  status: StatusModel;
}

export function StatusView({ status }: StatusViewProps) {
  const { t } = useTranslation();
  const { snapshot, error } = status;
  if (snapshot === null) {
    return (
      <div className="cards">
        <section className="card" aria-labelledby="gateway-heading">
          <h2 id="gateway-heading" className="card-heading">
            {t('status.gatewayHeading')}
          </h2>
          <p className="status" data-tone="unknown" role="status">
            <span className="status-dot" aria-hidden="true" />
            <span className="status-title">{error ? t('status.unavailableTitle') : t('status.checking')}</span>
          </p>
          {error && <p className="muted">{t('common.unavailable')}</p>}
        </section>
      </div>
    );
  }
  return (
    <div className="cards">
      <FirstRunGuide snapshot={snapshot} />
      <GatewayCard snapshot={snapshot} onChange={status.apply} />
      {snapshot.demo === true ? (
        <DemoCard snapshot={snapshot} onChange={status.apply} />
      ) : (
        <AccountCard snapshot={snapshot} onChange={status.apply} />
      )}
      <GaugesCard snapshot={snapshot} />
    </div>
  );
}

function GatewayCard({ snapshot, onChange }: { snapshot: StatusSnapshot; onChange: (next: StatusSnapshot) => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState<'starting' | 'stopping' | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const { gateway, url } = snapshot;
  const title = t(`status.states.${gateway.state}.title`);
  const detail = t(`status.states.${gateway.state}.detail`);
  const listening = gateway.state === 'running' || gateway.state === 'needs_login';

  const toggle = () => {
    setBusy(listening ? 'stopping' : 'starting');
    setFailure(null);
    (listening ? stopGateway() : startGateway()).then(onChange, (error: unknown) =>
      setFailure(describeError(toCommandError(error))),
    ).finally(() => setBusy(null));
  };

  return (
    <section className="card card-wide" aria-labelledby="gateway-heading">
      <h2 id="gateway-heading" className="card-heading">
        {t('status.gatewayHeading')}
      </h2>
      <div className="row spread">
        <p className="status" data-tone={gateway.state} role="status">
          <span className="status-dot" aria-hidden="true" />
          <span className="status-title">{title}</span>
        </p>
        <button type="button" className={listening ? 'button secondary' : 'button'} disabled={busy !== null} onClick={toggle}>
          {busy === 'starting'
            ? t('status.starting')
            : busy === 'stopping'
              ? t('status.stopping')
              : listening
                ? t('status.stop')
                : t('status.start')}
        </button>
      </div>
      <p className="muted">{detail}</p>
      {gateway.state === 'error' && <ErrorNote message={gateway.message} />}
      <ErrorNote message={failure} />

      <h3 className="subheading">{t('status.urlHeading')}</h3>
      {url === null ? (
        <p className="muted">{t('status.noUrl')}</p>
      ) : (
        <dl className="endpoints">
          <Endpoint label={t('status.openaiBaseUrl')} value={`${url}/v1`} />
          <Endpoint label={t('status.claudeCode')} value={`ANTHROPIC_BASE_URL=${url}`} />
        </dl>
      )}
      <p className="muted small">{t('status.apiKeyHint')}</p>
    </section>
  );
}

function Endpoint({ label, value }: { label: string; value: string }) {
  const { t } = useTranslation();
  return (
    <div className="endpoint">
      <dt>{label}</dt>
      <dd>
        <code className="code-field">{value}</code>
        <CopyButton value={value} label={`${t('common.copy')} ${label}`} />
      </dd>
    </div>
  );
}

/** What the background sign-in is doing while it has not succeeded yet. */
function SignInProgress({ state }: { state: SignInState | undefined }) {
  const { t } = useTranslation();
  // The moment this state arrived: the countdown is counted from it, not re-read on every render.
  const [shownAt] = useState(() => Date.now());
  if (state?.state === 'signing_in') {
    return <p className="muted small">{t('status.signInProgress.signing_in')}</p>;
  }
  if (state?.state === 'unreachable') {
    const seconds = Math.max(0, Math.ceil((Date.parse(state.next_attempt_at) - shownAt) / 1000));
    return <ErrorNote message={t('status.signInProgress.unreachable', { since: formatDateTime(state.since), seconds })} />;
  }
  return null;
}

/** Shown instead of the account while demo mode is on, with the way back. */
function DemoCard({ snapshot, onChange }: { snapshot: StatusSnapshot; onChange: (next: StatusSnapshot) => void }) {
  const { t } = useTranslation();
  return (
    <section className="card" aria-labelledby="account-heading">
      <h2 id="account-heading" className="card-heading">
        {t('demo.heading')} <span className="header-demo">{t('demo.badge')}</span>
      </h2>
      <p>{t('demo.detail')}</p>
      {snapshot.account !== null && <p className="muted small">{t('demo.account', { account: snapshot.account })}</p>}
      <DemoSwitchButton
        action={leaveDemo}
        label={t('demo.leave')}
        busyLabel={t('demo.leaving')}
        onChange={onChange}
      />
    </section>
  );
}

/** "Try without an account": switches the app into demo mode. */
function TryDemoButton({ onChange }: { onChange: (next: StatusSnapshot) => void }) {
  const { t } = useTranslation();
  return (
    <DemoSwitchButton action={enterDemo} label={t('demo.tryIt')} busyLabel={t('demo.starting')} onChange={onChange} />
  );
}

/** A button that enters or leaves demo mode, busy while the shell switches, with the error below it. */
function DemoSwitchButton({
  action,
  label,
  busyLabel,
  onChange,
}: {
  action: () => Promise<StatusSnapshot>;
  label: string;
  busyLabel: string;
  onChange: (next: StatusSnapshot) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="button secondary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setFailure(null);
          action()
            .then(onChange, (error: unknown) => setFailure(describeError(toCommandError(error))))
            .finally(() => setBusy(false));
        }}
      >
        {busy ? busyLabel : label}
      </button>
      <ErrorNote message={failure} />
    </>
  );
}

function AccountCard({ snapshot, onChange }: { snapshot: StatusSnapshot; onChange: (next: StatusSnapshot) => void }) {
  const { t } = useTranslation();
  const { account, login: state, credentials } = snapshot;
  const rejected = state.state === 'invalid_credentials';
  const [signingOut, setSigningOut] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  return (
    <section className="card" aria-labelledby="account-heading">
      <h2 id="account-heading" className="card-heading">
        {t('status.accountHeading')}
      </h2>
      {account !== null && !rejected ? (
        <>
          <p>
            <span className="muted">{t('status.signedInAs')} </span>
            <strong>{account}</strong>
          </p>
          <p className="muted small">
            {state.state === 'logged_in' && state.expires_at !== null
              ? t('status.tokenExpires', { when: formatDateTime(state.expires_at) })
              : t(`status.loginStates.${state.state}`)}
          </p>
          {state.state === 'login_failed' && <ErrorNote message={state.message} />}
          <SignInProgress
            // A new attempt time restarts the countdown from when it arrived.
            key={snapshot.sign_in?.state === 'unreachable' ? snapshot.sign_in.next_attempt_at : 'sign-in'}
            state={snapshot.sign_in}
          />
          <button
            type="button"
            className="button secondary"
            disabled={signingOut}
            onClick={() => {
              setSigningOut(true);
              setFailure(null);
              logout()
                .catch((error: unknown) => setFailure(describeError(toCommandError(error))))
                .finally(() => setSigningOut(false));
            }}
          >
            {t('status.signOut')}
          </button>
          <ErrorNote message={failure} />
        </>
      ) : (
        <>
          <SignInForm initialAccount={account ?? ''} rejected={rejected ? t('status.loginStates.invalid_credentials') : null} />
          <TryDemoButton onChange={onChange} />
        </>
      )}
      <p className="muted small credentials-note">
        {credentials.backend === 'keychain' ? (
          t('status.credentialsKeychain')
        ) : (
          <>
            {t('status.credentialsFile')} <code>{credentials.path}</code>
          </>
        )}
      </p>
    </section>
  );
}

function SignInForm({ initialAccount, rejected }: { initialAccount: string; rejected: string | null }) {
  const { t } = useTranslation();
  const [account, setAccount] = useState(initialAccount);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    login(account, password)
      .then(() => setPassword(''))
      .catch((error: unknown) => {
        const commandError = toCommandError(error);
        const { kind } = commandError;
        setFailure(kind === 'invalid_credentials' || kind === 'network' ? t(`status.loginErrors.${kind}`) : describeError(commandError));
      })
      .finally(() => setBusy(false));
  };

  return (
    <form className="form" onSubmit={submit} aria-label={t('status.signIn')}>
      <label className="field">
        <span>{t('status.accountLabel')}</span>
        <input
          className="input"
          name="account"
          autoComplete="username"
          placeholder={t('status.accountPlaceholder')}
          value={account}
          onChange={(event) => setAccount(event.target.value)}
          required
        />
      </label>
      <label className="field">
        <span>{t('status.passwordLabel')}</span>
        <input
          className="input"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          required
        />
      </label>
      <ErrorNote message={failure ?? rejected} />
      <button type="submit" className="button" disabled={busy || account.trim() === '' || password === ''}>
        {busy ? t('status.signingIn') : t('status.signIn')}
      </button>
    </form>
  );
}

function GaugesCard({ snapshot }: { snapshot: StatusSnapshot }) {
  const { t } = useTranslation();
  const { gauges } = snapshot;
  return (
    <section className="card" aria-labelledby="gauges-heading">
      <h2 id="gauges-heading" className="card-heading">
        {t('status.gaugesHeading')}
      </h2>
      <dl className="gauges">
        <Gauge label={t('status.inFlight')} value={gauges.in_flight} />
        <Gauge label={t('status.queued')} value={gauges.queued} />
        <Gauge label={t('status.limit')} value={gauges.limit} />
      </dl>
      <p className="muted small">
        {t('status.dataDir')}: <code>{snapshot.data_dir}</code>
      </p>
      {snapshot.site && (
        <p className="muted small">
          {t('status.site')}: <code>{snapshot.site.base_url}</code> ({snapshot.site.app_version})
          {snapshot.site.last_event && <> — {snapshot.site.last_event.message}</>}
        </p>
      )}
    </section>
  );
}

function Gauge({ label, value }: { label: string; value: number }) {
  return (
    <div className="gauge">
      <dt>{label}</dt>
      <dd>{formatNumber(value)}</dd>
    </div>
  );
}
