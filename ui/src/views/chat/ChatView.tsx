// The Chat view (main window section, and alone in the chat window): the conversation list, then
// the open conversation with its model, system prompt, transcript, cost and the message box. A new
// chat exists only as a draft until its first message is sent.
import './chat.css';

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { chooseSavePath, loadChatLastModel, saveChatLastModel, type ModelInfo } from '../../api';
import {
  chatCreateConversation,
  chatDeleteConversation,
  chatDeleteMessage,
  chatExportConversation,
  chatRenameConversation,
  chatSelectVersion,
  chatSetConversationModel,
  chatSetSystemPrompt,
  chatSummarizeIntoNew,
} from '../../api/chat';
import type { ChatMessage, Conversation, ConversationSummary, ImageAttachment } from '../../api/chatTypes';
import { ErrorNote } from '../../components/ErrorNote';
import { queryKeys, useChatConversationQuery, useModelsQuery } from '../../hooks/queries';
import { Composer } from './Composer';
import { ConversationList } from './ConversationList';
import { CostBar } from './CostBar';
import { describeFailure } from './errors';
import { useLiveState } from './liveTurns';
import type { TranscriptActions } from './MessageItem';
import { ModelPicker } from './ModelPicker';
import { SystemPrompt } from './SystemPrompt';
import { Transcript } from './Transcript';
import { useChatActions, useLiveTurns } from './useChatActions';
import { useNarrow } from './useNarrow';

interface ChatViewProps {
  /** The chat window: the view fills the whole window. */
  standalone?: boolean;
}

/** At this width and below (the chat's own, px) the list lies over the transcript (chat.css agrees). */
const NARROW_PX = 640;

/** A file name from a title: no path separators or characters some systems refuse. */
function fileName(title: string, fallback: string): string {
  const cleaned = title.replace(/[\\/:*?"<>|\n\r\t]+/g, ' ').trim().slice(0, 80);
  return `${cleaned === '' ? fallback : cleaned}.md`;
}

export function ChatView({ standalone = false }: ChatViewProps) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const turns = useLiveTurns();
  const streaming = useChatActions(turns);

  // `undefined`: not chosen yet (the newest conversation opens once the list is known); `null`: a new chat.
  const [selected, setSelected] = useState<string | null | undefined>(undefined);
  const [draftModel, setDraftModel] = useState<string | null>(null);
  const [draftPrompt, setDraftPrompt] = useState('');
  const [lastModel, setLastModel] = useState<string | null>(null);
  // Wide, the list sits beside the transcript until hidden; narrow, it opens over it when asked.
  const root = useRef<HTMLDivElement>(null);
  const narrow = useNarrow(root, NARROW_PX);
  const [listHidden, setListHidden] = useState(false);
  const [overlayOpen, setOverlayOpen] = useState(false);
  const listOpen = narrow ? overlayOpen : !listHidden;
  const toggleList = () => (narrow ? setOverlayOpen((was) => !was) : setListHidden((was) => !was));
  const [systemOpen, setSystemOpen] = useState(false);
  const [summarizing, setSummarizing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const conversationId = selected ?? null;
  const conversationQuery = useChatConversationQuery(conversationId);
  const conversation = conversationId === null ? null : (conversationQuery.data ?? null);
  const catalog = useModelsQuery().data ?? null;
  const models = useMemo(() => catalog?.models ?? [], [catalog]);
  const liveState = useLiveState(turns, conversationId);
  const busy = liveState !== 'idle';

  useEffect(() => {
    let active = true;
    void loadChatLastModel().then((model) => {
      if (active) setLastModel(model);
    });
    return () => {
      active = false;
    };
  }, []);

  const known = useCallback((id: string | null | undefined) => (id == null ? null : (models.find((model) => model.id === id)?.id ?? null)), [models]);
  // The conversation's model; for a new chat the one picked, else the last used, else the catalog's default.
  const modelId =
    conversation !== null
      ? (conversation.summary.model ?? known(lastModel) ?? catalog?.default_model ?? models[0]?.id ?? null)
      : (draftModel ?? known(lastModel) ?? catalog?.default_model ?? models[0]?.id ?? null);
  const model = models.find((candidate) => candidate.id === modelId) ?? null;

  const report = useCallback((error: unknown) => setFailure(describeFailure(error)), []);

  const putConversation = useCallback(
    (next: Conversation) => client.setQueryData(queryKeys.chatConversation(next.summary.id), next),
    [client],
  );
  const refreshLists = useCallback(() => void client.invalidateQueries({ queryKey: queryKeys.chatLists }), [client]);

  const open = useCallback((id: string | null) => {
    setSelected(id);
    setSystemOpen(false);
    setFailure(null);
    setNotice(null);
  }, []);

  const onLoaded = useCallback(
    (conversations: ConversationSummary[], searching: boolean) => {
      if (searching) return;
      // At start the newest opens; one deleted elsewhere (another window) gives way to a new chat.
      setSelected((current) => {
        if (current === undefined) return conversations[0]?.id ?? null;
        if (current !== null && !turns.get(current) && !conversations.some((conversation) => conversation.id === current)) return null;
        return current;
      });
    },
    [turns],
  );

  const chooseModel = (next: ModelInfo) => {
    setLastModel(next.id);
    void saveChatLastModel(next.id);
    if (conversation === null) {
      setDraftModel(next.id);
      return;
    }
    chatSetConversationModel(conversation.summary.id, next.id).then((summary) => {
      client.setQueryData<Conversation>(queryKeys.chatConversation(summary.id), (current) => (current === undefined ? current : { ...current, summary }));
      refreshLists();
    }, report);
  };

  const send = async (content: string, images: ImageAttachment[]) => {
    setFailure(null);
    let id = conversationId;
    if (id === null) {
      const created = await chatCreateConversation(modelId, draftPrompt.trim() === '' ? null : draftPrompt.trim());
      putConversation(created);
      id = created.summary.id;
      setSelected(id);
      setDraftPrompt('');
      setDraftModel(null);
      refreshLists();
    } else if (conversation !== null && conversation.summary.model === null && modelId !== null) {
      // The core refuses a conversation without a model: it gets the one shown.
      const summary = await chatSetConversationModel(id, modelId);
      client.setQueryData<Conversation>(queryKeys.chatConversation(id), (current) => (current === undefined ? current : { ...current, summary }));
    }
    if (modelId !== null && modelId !== lastModel) {
      setLastModel(modelId);
      void saveChatLastModel(modelId);
    }
    await streaming.send(id, content, images);
  };

  const stop = useCallback(() => {
    if (conversationId !== null) streaming.stop(conversationId).catch(report);
  }, [conversationId, streaming, report]);

  // Esc stops the reply streaming in the open conversation.
  useEffect(() => {
    if (!busy) return undefined;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) stop();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [busy, stop]);

  const transcriptActions = useMemo<TranscriptActions>(
    () => ({
      regenerate: (message: ChatMessage) => {
        setFailure(null);
        streaming.regenerate(message).catch(report);
      },
      retry: (message: ChatMessage) => {
        setFailure(null);
        streaming.retry(message).catch(report);
      },
      editAndResend: (message: ChatMessage, content: string, images: ImageAttachment[]) => {
        setFailure(null);
        streaming.editAndResend(message, content, images).catch(report);
      },
      remove: (message: ChatMessage) => {
        chatDeleteMessage(message.conversation_id, message.id).then((next) => {
          putConversation(next);
          refreshLists();
        }, report);
      },
      selectVersion: (message: ChatMessage, version: number) => {
        chatSelectVersion(message.conversation_id, message.id, version).then(putConversation, report);
      },
      modelLabel: (id: string | null) => (id === null ? null : (models.find((candidate) => candidate.id === id)?.label ?? null)),
    }),
    [streaming, report, putConversation, refreshLists, models],
  );

  const rename = async (id: string, title: string) => {
    const summary = await chatRenameConversation(id, title);
    client.setQueryData<Conversation>(queryKeys.chatConversation(id), (current) => (current === undefined ? current : { ...current, summary }));
    refreshLists();
  };

  const remove = (id: string) => {
    chatDeleteConversation(id).then(() => {
      if (conversationId === id) open(null);
      client.removeQueries({ queryKey: queryKeys.chatConversation(id) });
      refreshLists();
    }, report);
  };

  const exportConversation = (summary: ConversationSummary) => {
    setNotice(null);
    chooseSavePath(t('chat.exportTitle'), fileName(summary.title, t('chat.list.untitled')), 'md')
      .then((path) => {
        if (path === null) return undefined;
        return chatExportConversation(summary.id, path).then(() => setNotice(t('common.savedTo', { path })));
      })
      .catch(report);
  };

  const summarize = () => {
    if (conversation === null) return;
    setSummarizing(true);
    chatSummarizeIntoNew(conversation.summary.id)
      .then((next) => {
        putConversation(next);
        refreshLists();
        open(next.summary.id);
      }, report)
      .finally(() => setSummarizing(false));
  };

  const saveSystemPrompt = async (prompt: string) => {
    if (conversation === null) {
      setDraftPrompt(prompt);
      return;
    }
    putConversation(await chatSetSystemPrompt(conversation.summary.id, prompt));
  };

  const title = conversation === null ? t('chat.newChat') : conversation.summary.title.trim() || t('chat.list.untitled');
  const systemPrompt = conversation?.system_prompt ?? draftPrompt;
  const loadFailure = conversationQuery.error === null ? null : describeFailure(conversationQuery.error);

  return (
    <div ref={root} className={`chat${standalone ? ' chat-standalone' : ''}${narrow ? ' narrow' : ''}`}>
      {listOpen && narrow && <div className="chat-scrim" aria-hidden="true" onClick={() => setOverlayOpen(false)} />}
      {listOpen && (
        <ConversationList
          selected={conversationId}
          onSelect={(id) => {
            open(id);
            setOverlayOpen(false);
          }}
          onNew={() => {
            open(null);
            setOverlayOpen(false);
          }}
          onRename={rename}
          onDelete={remove}
          onExport={exportConversation}
          onLoaded={onLoaded}
        />
      )}
      <section className="chat-main" aria-label={title}>
        <header className="chat-head">
          <button
            type="button"
            className="chat-icon-button chat-list-toggle"
            aria-expanded={listOpen}
            aria-label={listOpen ? t('chat.list.hide') : t('chat.list.show')}
            title={listOpen ? t('chat.list.hide') : t('chat.list.show')}
            onClick={toggleList}
          />
          <h2 className="chat-title" title={title}>
            {title}
          </h2>
          <ModelPicker models={models} value={modelId} onChange={chooseModel} disabled={busy} />
          <button
            type="button"
            className={systemPrompt === '' ? 'chat-icon-button' : 'chat-icon-button chat-has-system'}
            aria-expanded={systemOpen}
            onClick={() => setSystemOpen((was) => !was)}
            title={systemPrompt === '' ? t('chat.system.none') : systemPrompt}
          >
            {t('chat.system.button')}
          </button>
        </header>
        {systemOpen && (
          <SystemPrompt key={conversationId ?? 'draft'} value={systemPrompt} onSave={saveSystemPrompt} onClose={() => setSystemOpen(false)} />
        )}
        <ErrorNote message={loadFailure} />
        <Transcript
          conversationId={conversationId}
          messages={conversation?.messages ?? []}
          turns={turns}
          actions={transcriptActions}
          busy={busy}
          modelLabel={model?.label ?? modelId}
        />
        <div className="chat-foot">
          {conversation !== null && <CostBar conversation={conversation} summarizing={summarizing} onSummarize={summarize} busy={busy} />}
          {notice !== null && (
            <p className="notice small" role="status">
              {notice}
            </p>
          )}
          <ErrorNote message={failure} />
          <Composer focusKey={conversationId} model={model} state={liveState} onSend={send} onStop={stop} disabled={modelId === null && models.length > 0} />
        </div>
      </section>
    </div>
  );
}

export default ChatView;
