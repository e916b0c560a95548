// The conversation list: search (titles and message text, by the core), a New chat button, and per
// conversation rename, export as Markdown and delete (asked first).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { ConversationSummary } from '../../api/chatTypes';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNote } from '../../components/ErrorNote';
import { commandError, useChatConversationsQuery } from '../../hooks/queries';
import { describeError } from '../../i18n';
import { formatLogTime, formatNumber } from '../../lib/format';
import { describeFailure } from './errors';

interface ConversationListProps {
  selected: string | null;
  onSelect: (id: string) => void;
  onNew: () => void;
  onRename: (id: string, title: string) => Promise<void>;
  onDelete: (id: string) => void;
  onExport: (summary: ConversationSummary) => void;
  /** The list's conversations, once known (the view picks the newest at start). */
  onLoaded?: (conversations: ConversationSummary[], searching: boolean) => void;
}

const SEARCH_DELAY_MS = 250;

export function ConversationList({ selected, onSelect, onNew, onRename, onDelete, onExport, onLoaded }: ConversationListProps) {
  const { t } = useTranslation();
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [renaming, setRenaming] = useState<string | null>(null);

  // The search waits for a pause in typing instead of asking the core per key.
  useEffect(() => {
    const timer = setTimeout(() => setSearch(typed), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  const list = useChatConversationsQuery(search);
  const conversations = list.data ?? null;
  const failure = commandError(list.error);

  const reported = useRef<ConversationSummary[] | null>(null);
  useEffect(() => {
    if (conversations !== null && reported.current !== conversations) {
      reported.current = conversations;
      onLoaded?.(conversations, search.trim() !== '');
    }
  }, [conversations, onLoaded, search]);

  return (
    <aside className="chat-list" aria-label={t('chat.list.label')}>
      <div className="chat-list-top">
        <button type="button" className="button small chat-new" onClick={onNew}>
          {t('chat.list.new')}
        </button>
        <input
          className="input chat-search"
          type="search"
          placeholder={t('chat.list.search')}
          aria-label={t('chat.list.search')}
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
        />
      </div>
      <ErrorNote message={failure === null ? null : describeError(failure)} />
      {conversations !== null && conversations.length === 0 && (
        <p className="chat-list-empty muted small">{search.trim() === '' ? t('chat.list.empty') : t('chat.list.noMatch')}</p>
      )}
      <ul className="chat-list-items">
        {conversations?.map((conversation) => (
          <li key={conversation.id}>
            {renaming === conversation.id ? (
              <RenameForm
                initial={conversation.title}
                onCancel={() => setRenaming(null)}
                onSave={(title) => onRename(conversation.id, title).then(() => setRenaming(null))}
              />
            ) : (
              <ConversationItem
                conversation={conversation}
                selected={conversation.id === selected}
                onSelect={() => onSelect(conversation.id)}
                onRename={() => setRenaming(conversation.id)}
                onDelete={() => onDelete(conversation.id)}
                onExport={() => onExport(conversation)}
              />
            )}
          </li>
        ))}
      </ul>
    </aside>
  );
}

interface ItemProps {
  conversation: ConversationSummary;
  selected: boolean;
  onSelect: () => void;
  onRename: () => void;
  onDelete: () => void;
  onExport: () => void;
}

function ConversationItem({ conversation, selected, onSelect, onRename, onDelete, onExport }: ItemProps) {
  const { t } = useTranslation();
  const title = conversation.title.trim() === '' ? t('chat.list.untitled') : conversation.title;
  return (
    <div className={selected ? 'chat-item selected' : 'chat-item'}>
      <button type="button" className="chat-item-main" aria-current={selected ? 'true' : undefined} onClick={onSelect}>
        <span className="chat-item-title">{title}</span>
        {conversation.snippet !== null && conversation.snippet !== '' && (
          <span className="chat-item-snippet">{conversation.snippet}</span>
        )}
        <span className="chat-item-meta">
          {formatLogTime(conversation.updated_at)}
          {conversation.total_points > 0 && ` · ${t('chat.cost.points', { points: formatNumber(conversation.total_points) })}`}
        </span>
      </button>
      <div className="chat-item-actions">
        <button type="button" className="chat-icon-button" aria-label={`${t('chat.list.rename')} ${title}`} onClick={onRename}>
          {t('chat.list.rename')}
        </button>
        <button type="button" className="chat-icon-button" aria-label={`${t('chat.list.export')} ${title}`} onClick={onExport}>
          {t('chat.list.export')}
        </button>
        <ConfirmButton label={t('chat.list.delete')} question={t('chat.list.deleteQuestion')} onConfirm={onDelete} danger />
      </div>
    </div>
  );
}

function RenameForm({ initial, onSave, onCancel }: { initial: string; onSave: (title: string) => Promise<void>; onCancel: () => void }) {
  const { t } = useTranslation();
  const [title, setTitle] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="chat-rename"
      onSubmit={(event) => {
        event.preventDefault();
        const trimmed = title.trim();
        if (trimmed === '') return;
        onSave(trimmed).catch((failure: unknown) => setError(describeFailure(failure)));
      }}
    >
      <input
        className="input"
        autoFocus
        aria-label={t('chat.list.newTitle')}
        value={title}
        maxLength={200}
        onChange={(event) => setTitle(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.stopPropagation();
            onCancel();
          }
        }}
      />
      <div className="row">
        <button type="submit" className="button small" disabled={title.trim() === ''}>
          {t('common.save')}
        </button>
        <button type="button" className="button small secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
      <ErrorNote message={error} />
    </form>
  );
}
