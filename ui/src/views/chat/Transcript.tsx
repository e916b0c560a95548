// The transcript: the stored messages (memoized), then the live turn; it follows the end of the
// answer while the user is at the bottom, and stays put when they scrolled up to read.
import { useCallback, useLayoutEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';

import type { ChatMessage } from '../../api/chatTypes';
import { LiveTurnView } from './LiveTurnView';
import { useLiveCutoff, type LiveTurns } from './liveTurns';
import { MessageItem, TranscriptContext, type TranscriptActions } from './MessageItem';

interface TranscriptProps {
  conversationId: string | null;
  messages: readonly ChatMessage[];
  turns: LiveTurns;
  actions: TranscriptActions;
  busy: boolean;
  modelLabel: string | null;
}

/** How close to the end (px) still counts as "at the bottom". */
const BOTTOM_SLACK = 48;

export function Transcript({ conversationId, messages, turns, actions, busy, modelLabel }: TranscriptProps) {
  const { t } = useTranslation();
  const cutoff = useLiveCutoff(turns, conversationId);
  const shown = useMemo(
    () => (cutoff === null ? messages : messages.filter((message) => message.position < cutoff)),
    [messages, cutoff],
  );
  const context = useMemo(() => ({ actions, busy }), [actions, busy]);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);

  const follow = useCallback(() => {
    const element = scroller.current;
    if (element !== null && atBottom.current) element.scrollTop = element.scrollHeight;
  }, []);

  // A newly opened conversation starts at its end.
  useLayoutEffect(() => {
    atBottom.current = true;
  }, [conversationId]);
  useLayoutEffect(follow, [follow, shown, conversationId]);

  const live = conversationId !== null && cutoff !== null;
  return (
    <div
      className="chat-transcript"
      ref={scroller}
      onScroll={(event) => {
        const element = event.currentTarget;
        atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight <= BOTTOM_SLACK;
      }}
    >
      <div className="chat-transcript-inner" role="log" aria-label={t('chat.transcript')}>
        {shown.length === 0 && !live && <p className="chat-welcome muted">{t('chat.welcome')}</p>}
        <TranscriptContext.Provider value={context}>
          {shown.map((message) => (
            <MessageItem key={message.id} message={message} />
          ))}
        </TranscriptContext.Provider>
        {conversationId !== null && <LiveTurnView turns={turns} conversationId={conversationId} modelLabel={modelLabel} onFrame={follow} />}
      </div>
    </div>
  );
}
