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
  type SignInState,
  type StatusSnapshot,
} from '../api';
import { Card } from '../components/Card';
import { CopyButton } from '../components/CopyButton';
import { FirstRunGuide } from './FirstRunGuide';
import { ErrorNote } from '../components/ErrorNote';
import { Field } from '../components/Field';
import type { StatusModel } from '../hooks/queries';
import { useAction } from '../hooks/useAction';
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
        <Card id="gateway-heading" title={t('status.gatewayHeading')}>
          <p className="status" data-tone="unknown" role="status">
            <span className="status-dot" aria-hidden="true" />
            <span className="status-title">{error ? t('status.unavailableTitle') : t('status.checking')}</span>
          </p>
          {error && <p className="muted">{t('common.unavailable')}</p>}
        </Card>
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
  const { busy, failure, run } = useAction();
  // What the running action does, fixed at the click (events may change `listening` meanwhile).
  const [stopping, setStopping] = useState(false);
  const { gateway, url } = snapshot;
  const title = t(`status.states.${gateway.state}.title`);
  const detail = t(`status.states.${gateway.state}.detail`);
  const listening = gateway.state === 'running' || gateway.state === 'needs_login';

  const toggle = () => {
    setStopping(listening);
    void run(listening ? stopGateway : startGateway, onChange);
  };

  return (
    <Card id="gateway-heading" title={t('status.gatewayHeading')} className="card-wide">
      <div className="row spread">
        <p className="status" data-tone={gateway.state} role="status">
          <span className="status-dot" aria-hidden="true" />
          <span className="status-title">{title}</span>
        </p>
        <button type="button" className={listening ? 'button secondary' : 'button'} disabled={busy} onClick={toggle}>
          {busy
            ? stopping
              ? t('status.stopping')
              : t('status.starting')
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
    </Card>
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
    <Card
      id="account-heading"
      title={
        <>
          {t('demo.heading')} <span className="header-demo">{t('demo.badge')}</span>
        </>
      }
    >
      <p>{t('demo.detail')}</p>
      {snapshot.account !== null && <p className="muted small">{t('demo.account', { account: snapshot.account })}</p>}
      <DemoSwitchButton
        action={leaveDemo}
        label={t('demo.leave')}
        busyLabel={t('demo.leaving')}
        onChange={onChange}
      />
    </Card>
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
  const { busy, failure, run } = useAction();
  return (
    <>
      <button type="button" className="button secondary" disabled={busy} onClick={() => void run(action, onChange)}>
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
  const signOut = useAction();

  return (
    <Card id="account-heading" title={t('status.accountHeading')}>
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
            disabled={signOut.busy}
            onClick={() => void signOut.run(logout)}
          >
            {t('status.signOut')}
          </button>
          <ErrorNote message={signOut.failure} />
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
    </Card>
  );
}

function SignInForm({ initialAccount, rejected }: { initialAccount: string; rejected: string | null }) {
  const { t } = useTranslation();
  const [account, setAccount] = useState(initialAccount);
  const [password, setPassword] = useState('');
  const { busy, failure, run } = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(
      () => login(account, password),
      () => setPassword(''),
      (error) =>
        error.kind === 'invalid_credentials' || error.kind === 'network'
          ? t(`status.loginErrors.${error.kind}`)
          : describeError(error),
    );
  };

  return (
    <form className="form" onSubmit={submit} aria-label={t('status.signIn')}>
      <Field label={t('status.accountLabel')}>
        <input
          className="input"
          name="account"
          autoComplete="username"
          placeholder={t('status.accountPlaceholder')}
          value={account}
          onChange={(event) => setAccount(event.target.value)}
          required
        />
      </Field>
      <Field label={t('status.passwordLabel')}>
        <input
          className="input"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          required
        />
      </Field>
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
    <Card id="gauges-heading" title={t('status.gaugesHeading')}>
      <dl className="gauges">
        <Gauge label={t('status.inFlight')} value={gauges.in_flight} name="in-flight" />
        <Gauge label={t('status.queued')} value={gauges.queued} name="queued" />
        <Gauge label={t('status.limit')} value={gauges.limit} name="limit" />
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
    </Card>
  );
}

/** `name` marks the gauge for the desktop end-to-end suite (`data-testid="gauge-<name>"`). */
function Gauge({ label, value, name }: { label: string; value: number; name: string }) {
  return (
    <div className="gauge">
      <dt>{label}</dt>
      <dd data-testid={`gauge-${name}`} data-value={value}>
        {formatNumber(value)}
      </dd>
    </div>
  );
}
