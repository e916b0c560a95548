// One message of the transcript. Stored messages are memoized: while a reply streams, they never
// render again (the live turn is drawn by LiveTurnView). User messages show their text and images
// and can be edited and sent again; answers show Markdown, their reasoning, cost, versions, and a
// Retry on a failed turn.
import { createContext, memo, useContext, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { ChatMessage, ImageAttachment } from '../../api/chatTypes';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyButton } from '../../components/CopyButton';
import { formatNumber } from '../../lib/format';
import { splitBlocks } from './blocks';
import { describeTurnError } from './errors';
import { useSendKeys } from './keys';
import { Markdown } from './Markdown';
import { normalizeMath } from './mathDelimiters';

/** What the messages of one conversation can do; stable while the conversation is shown. */
export interface TranscriptActions {
  regenerate: (message: ChatMessage) => void;
  retry: (message: ChatMessage) => void;
  editAndResend: (message: ChatMessage, content: string, images: ImageAttachment[]) => void;
  remove: (message: ChatMessage) => void;
  selectVersion: (message: ChatMessage, version: number) => void;
  /** The label of a catalog model id, when the catalog knows it. */
  modelLabel: (id: string | null) => string | null;
}

export const TranscriptContext = createContext<{ actions: TranscriptActions; busy: boolean } | null>(null);

function useTranscript() {
  const context = useContext(TranscriptContext);
  if (context === null) throw new Error('MessageItem outside a transcript');
  return context;
}

export function Images({ images }: { images: readonly ImageAttachment[] }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState<ImageAttachment | null>(null);
  if (images.length === 0) return null;
  return (
    <div className="chat-images">
      {images.map((image, index) => (
        <button key={index} type="button" className="chat-image-button" aria-label={t('chat.images.view', { name: image.name })} onClick={() => setShown(image)}>
          <img className="chat-image" src={image.data_url} alt={image.name} title={image.name} />
        </button>
      ))}
      {shown !== null && (
        <div
          className="chat-lightbox"
          role="dialog"
          aria-label={shown.name}
          tabIndex={-1}
          ref={(element) => element?.focus()}
          onClick={() => setShown(null)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.preventDefault();
              event.stopPropagation();
              setShown(null);
            }
          }}
        >
          <img src={shown.data_url} alt={shown.name} />
        </div>
      )}
    </div>
  );
}

export function Reasoning({ text, streaming }: { text: string; streaming: boolean }) {
  const { t } = useTranslation();
  // Open while the model thinks and closed afterwards, unless the user chose otherwise.
  const [chosen, setChosen] = useState<boolean | null>(null);
  const open = chosen ?? streaming;
  if (text === '') return null;
  return (
    <details
      className="chat-reasoning"
      open={open}
      onToggle={(event) => {
        if (event.currentTarget.open !== open) setChosen(event.currentTarget.open);
      }}
    >
      <summary>{streaming ? t('chat.message.thinking') : t('chat.message.reasoning')}</summary>
      <div className="chat-reasoning-text">{text}</div>
    </details>
  );
}

/** Markdown of an answer; while it streams, only its last block re-renders per frame. */
export function AnswerText({ text, streaming }: { text: string; streaming: boolean }) {
  const normalized = normalizeMath(text);
  if (!streaming) return <Markdown text={normalized} />;
  return (
    <>
      {splitBlocks(normalized).map((block, index) => (
        <Markdown key={index} text={block} />
      ))}
    </>
  );
}

export function Usage({ message }: { message: ChatMessage }) {
  const { t } = useTranslation();
  const usage = message.usage;
  if (usage === null) return null;
  return (
    <span className="chat-usage" title={t('chat.cost.detail', { prompt: formatNumber(usage.prompt_tokens), completion: formatNumber(usage.completion_tokens) })}>
      {t('chat.cost.reply', { tokens: formatNumber(usage.total_tokens), points: formatNumber(usage.points) })}
    </span>
  );
}

function VersionSwitcher({ message }: { message: ChatMessage }) {
  const { t } = useTranslation();
  const { actions, busy } = useTranscript();
  if (message.version_count < 2) return null;
  return (
    <span className="chat-versions" role="group" aria-label={t('chat.message.versions')}>
      <button
        type="button"
        className="chat-icon-button"
        aria-label={t('chat.message.previousVersion')}
        disabled={busy || message.version === 0}
        onClick={() => actions.selectVersion(message, message.version - 1)}
      >
        ‹
      </button>
      <span className="chat-version-number">
        {t('chat.message.version', { version: message.version + 1, count: message.version_count })}
      </span>
      <button
        type="button"
        className="chat-icon-button"
        aria-label={t('chat.message.nextVersion')}
        disabled={busy || message.version >= message.version_count - 1}
        onClick={() => actions.selectVersion(message, message.version + 1)}
      >
        ›
      </button>
    </span>
  );
}

function EditForm({ message, onDone }: { message: ChatMessage; onDone: () => void }) {
  const { t } = useTranslation();
  const { actions } = useTranscript();
  const [text, setText] = useState(message.content);
  const submit = () => {
    if (text.trim() === '' && message.images.length === 0) return;
    onDone();
    actions.editAndResend(message, text, message.images);
  };
  const keys = useSendKeys(submit, onDone);
  return (
    <form
      className="chat-edit"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <textarea
        className="input chat-edit-text"
        aria-label={t('chat.message.editLabel')}
        autoFocus
        rows={Math.min(10, Math.max(2, text.split('\n').length))}
        value={text}
        onChange={(event) => setText(event.target.value)}
        {...keys}
      />
      <div className="row">
        <button type="submit" className="button small">
          {t('chat.message.saveAndSend')}
        </button>
        <button type="button" className="button small secondary" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function UserMessage({ message }: { message: ChatMessage }) {
  const { t } = useTranslation();
  const { busy } = useTranscript();
  const [editing, setEditing] = useState(false);
  return (
    <article className="chat-message user" aria-label={t('chat.message.you')}>
      <div className="chat-bubble">
        <Images images={message.images} />
        {editing ? <EditForm message={message} onDone={() => setEditing(false)} /> : <div className="chat-user-text">{message.content}</div>}
      </div>
      {!editing && (
        <div className="chat-message-bar">
          <CopyButton value={message.content} className="chat-icon-button" />
          <button type="button" className="chat-icon-button" disabled={busy} onClick={() => setEditing(true)}>
            {t('chat.message.edit')}
          </button>
          <DeleteButton message={message} />
        </div>
      )}
    </article>
  );
}

function DeleteButton({ message }: { message: ChatMessage }) {
  const { t } = useTranslation();
  const { actions, busy } = useTranscript();
  return (
    <ConfirmButton
      label={t('chat.message.delete')}
      question={t('chat.message.deleteQuestion')}
      disabled={busy}
      onConfirm={() => actions.remove(message)}
      danger
    />
  );
}

function AssistantMessage({ message }: { message: ChatMessage }) {
  const { t } = useTranslation();
  const { actions, busy } = useTranscript();
  const label = message.model_label ?? actions.modelLabel(message.model) ?? message.model;
  return (
    <article className={`chat-message assistant ${message.status}`} aria-label={t('chat.message.assistant')}>
      <div className="chat-message-head">
        <span className="chat-author">{label ?? t('chat.message.assistant')}</span>
        {message.status === 'stopped' && <span className="chat-tag stopped">{t('chat.message.stopped')}</span>}
        {message.status === 'streaming' && <span className="chat-tag">{t('chat.message.streamingElsewhere')}</span>}
      </div>
      <Reasoning text={message.reasoning} streaming={false} />
      {message.content !== '' && <AnswerText text={message.content} streaming={false} />}
      {message.status === 'failed' && (
        <div className="chat-failure" role="alert">
          <span>{message.error === null ? t('chat.message.failed') : describeTurnError(message.error)}</span>
          <button type="button" className="button small" disabled={busy} onClick={() => actions.retry(message)}>
            {t('chat.message.retry')}
          </button>
        </div>
      )}
      <div className="chat-message-bar">
        <VersionSwitcher message={message} />
        {message.content !== '' && <CopyButton value={message.content} className="chat-icon-button" />}
        <button type="button" className="chat-icon-button" disabled={busy} onClick={() => actions.regenerate(message)}>
          {t('chat.message.regenerate')}
        </button>
        <DeleteButton message={message} />
        <Usage message={message} />
      </div>
    </article>
  );
}

/** A stored message; renders again only when the message itself (or the busy state) changes. */
export const MessageItem = memo(function MessageItem({ message }: { message: ChatMessage }) {
  return message.role === 'user' ? <UserMessage message={message} /> : <AssistantMessage message={message} />;
});
