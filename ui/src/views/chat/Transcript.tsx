// The transcript: the stored messages (memoized), then the live turn; it follows the end of the
// answer while the user is at the bottom, and stays put when they scrolled up to read.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { ChatMessage } from '../../api/chatTypes';
import { LiveTurnView } from './LiveTurnView';
import { useLiveCutoff, useLiveReplaces, type LiveTurns } from './liveTurns';
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
  const replaces = useLiveReplaces(turns, conversationId);
  // Before the live turn, and (regenerate, retry) the stored messages after the answer it replaces.
  const shown = useMemo(
    () => (cutoff === null ? messages : messages.filter((message) => message.position < cutoff)),
    [messages, cutoff],
  );
  const after = useMemo(
    () => (cutoff === null || !replaces ? [] : messages.filter((message) => message.position > cutoff)),
    [messages, cutoff, replaces],
  );
  const context = useMemo(() => ({ actions, busy }), [actions, busy]);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const lastTop = useRef(0);
  // Scrolled up to read: a button brings the reader back to the end.
  const [away, setAway] = useState(false);

  const follow = useCallback(() => {
    const element = scroller.current;
    if (element !== null && atBottom.current) element.scrollTop = element.scrollHeight;
  }, []);

  // A newly opened conversation starts at its end.
  useLayoutEffect(() => {
    atBottom.current = true;
  }, [conversationId]);
  useLayoutEffect(follow, [follow, shown, conversationId]);
  // Images, fonts and math can grow the transcript after it rendered: stay at the end then too.
  const inner = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = inner.current;
    if (element === null || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(() => follow());
    observer.observe(element);
    if (scroller.current !== null) observer.observe(scroller.current);
    return () => observer.disconnect();
  }, [follow]);

  const live = conversationId !== null && cutoff !== null;
  return (
    <div
      className="chat-transcript"
      ref={scroller}
      onScroll={(event) => {
        // Only the reader scrolls up: content growing or our own following never unsticks it.
        const element = event.currentTarget;
        const near = element.scrollHeight - element.scrollTop - element.clientHeight <= BOTTOM_SLACK;
        if (near) atBottom.current = true;
        else if (element.scrollTop < lastTop.current) atBottom.current = false;
        lastTop.current = element.scrollTop;
        setAway(!atBottom.current);
      }}
    >
      <div className="chat-transcript-inner" ref={inner} role="log" aria-label={t('chat.transcript')}>
        {shown.length === 0 && !live && <p className="chat-welcome muted">{t('chat.welcome')}</p>}
        <TranscriptContext.Provider value={context}>
          {shown.map((message) => (
            <MessageItem key={message.id} message={message} />
          ))}
        </TranscriptContext.Provider>
        {conversationId !== null && <LiveTurnView turns={turns} conversationId={conversationId} modelLabel={modelLabel} onFrame={follow} />}
        <TranscriptContext.Provider value={context}>
          {after.map((message) => (
            <MessageItem key={message.id} message={message} />
          ))}
        </TranscriptContext.Provider>
        {away && (
          <button
            type="button"
            className="chat-jump"
            onClick={() => {
              atBottom.current = true;
              setAway(false);
              follow();
            }}
          >
            {t('chat.jumpToLatest')}
          </button>
        )}
      </div>
    </div>
  );
}
