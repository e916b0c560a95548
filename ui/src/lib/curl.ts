// "Copy as curl" for a request-log entry: a command that repeats the request's shape against the
// gateway. It never carries a secret: the key is the shell variable `$TAIJI_API_KEY`, and the
// message is the kept prompt preview (or a placeholder when previews are off).
import type { LogEntry } from '../api';

/** `text` as one single-quoted shell word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The curl command for `entry` against the gateway at `baseUrl` (e.g. `http://127.0.0.1:8760`). */
export function curlCommand(entry: LogEntry, baseUrl: string): string {
  const anthropic = entry.source.api === 'anthropic' || entry.endpoint.startsWith('/v1/messages');
  const content = entry.prompt_preview ?? '…';
  const body: Record<string, unknown> = { model: entry.model, stream: entry.stream };
  if (anthropic) body['max_tokens'] = 1024;
  body['messages'] = [{ role: 'user', content }];
  const auth = anthropic
    ? ['-H "x-api-key: $TAIJI_API_KEY"', `-H ${shellQuote('anthropic-version: 2023-06-01')}`]
    : ['-H "Authorization: Bearer $TAIJI_API_KEY"'];
  return [
    `curl ${entry.stream ? '-N ' : ''}${shellQuote(`${baseUrl.replace(/\/$/, '')}${entry.endpoint}`)}`,
    ...auth,
    `-H ${shellQuote('content-type: application/json')}`,
    `-d ${shellQuote(JSON.stringify(body))}`,
  ].join(' \\\n  ');
}
