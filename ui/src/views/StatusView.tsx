// The first screen: is the gateway running, and is the Taiji account signed in.
import type { GatewayStatus } from '../api';
import { useGatewayStatus, type GatewayStatusView } from '../hooks/useGatewayStatus';

const STATUS_TEXT: Record<GatewayStatus, { title: string; detail: string }> = {
  running: {
    title: 'Running',
    detail: 'OpenAI- and Anthropic-compatible APIs are served on this computer.',
  },
  stopped: {
    title: 'Stopped',
    detail: 'Start it from the tray menu with “Gateway running”.',
  },
  needs_login: {
    title: 'Sign-in needed',
    detail: 'The gateway is up, but the Taiji account has to sign in before requests can succeed.',
  },
  error: {
    title: 'Error',
    detail: 'The gateway could not start or stopped unexpectedly.',
  },
};

function presentation(status: GatewayStatusView): { tone: string; title: string; detail: string } {
  if (status === null) return { tone: 'unknown', title: 'Checking…', detail: 'Asking the app for the gateway status.' };
  if (status === 'unavailable') {
    return { tone: 'unknown', title: 'Unavailable', detail: 'The desktop app did not answer; is this page open outside it?' };
  }
  return { tone: status, ...STATUS_TEXT[status] };
}

export function StatusView() {
  const status = useGatewayStatus();
  const { tone, title, detail } = presentation(status);

  return (
    <div className="cards">
      <section className="card" aria-labelledby="gateway-heading">
        <h2 id="gateway-heading" className="card-heading">
          Gateway
        </h2>
        <p className="status" data-tone={tone} role="status">
          <span className="status-dot" aria-hidden="true" />
          <span className="status-title">{title}</span>
        </p>
        <p className="muted">{detail}</p>
      </section>

      <section className="card" aria-labelledby="account-heading">
        <h2 id="account-heading" className="card-heading">
          Taiji account
        </h2>
        <p className="muted">Signing in to your Taiji AI account arrives in an upcoming version.</p>
        <button type="button" className="button" disabled>
          Sign in
        </button>
      </section>
    </div>
  );
}
