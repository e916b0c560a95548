// The turn streaming now: the message just sent (shown before the shell confirms it) and the
// answer growing per animation frame, with its reasoning open while it thinks. This is the only
// part of the transcript that re-renders per frame.
import { useLayoutEffect } from 'react';
import { useTranslation } from 'react-i18next';

import { formatNumber } from '../../lib/format';
import type { LiveTurns } from './liveTurns';
import { useLiveTurn } from './liveTurns';
import { AnswerText, Images, Reasoning } from './MessageItem';

interface LiveTurnViewProps {
  turns: LiveTurns;
  conversationId: string;
  modelLabel: string | null;
  /** Called after each rendered frame, so the transcript can follow the answer. */
  onFrame: () => void;
}

export function LiveTurnView({ turns, conversationId, modelLabel, onFrame }: LiveTurnViewProps) {
  const { t } = useTranslation();
  const turn = useLiveTurn(turns, conversationId);
  useLayoutEffect(() => {
    if (turn !== undefined) onFrame();
  });
  if (turn === undefined) return null;
  const user = turn.user ?? turn.pendingUser;
  const assistant = turn.assistant;
  const usage = turn.usage;
  return (
    <>
      {user !== null && (
        <article className="chat-message user" aria-label={t('chat.message.you')}>
          <div className="chat-bubble">
            <Images images={user.images} />
            <div className="chat-user-text">{user.content}</div>
          </div>
        </article>
      )}
      <article className="chat-message assistant streaming" aria-label={t('chat.message.assistant')} aria-busy="true">
        <div className="chat-message-head">
          <span className="chat-author">{assistant?.model_label ?? modelLabel ?? t('chat.message.assistant')}</span>
          <span className="chat-tag live">{turn.stopping ? t('chat.message.stopping') : t('chat.message.streaming')}</span>
        </div>
        {assistant !== null && <Reasoning text={assistant.reasoning} streaming={assistant.content === ''} />}
        {assistant === null || (assistant.content === '' && assistant.reasoning === '') ? (
          <div className="chat-typing" aria-label={t('chat.message.waiting')}>
            <span />
            <span />
            <span />
          </div>
        ) : (
          assistant.content !== '' && <AnswerText text={assistant.content} streaming />
        )}
        {usage !== null && (
          <div className="chat-message-bar">
            <span className="chat-usage">{t('chat.cost.reply', { tokens: formatNumber(usage.total_tokens), points: formatNumber(usage.points) })}</span>
          </div>
        )}
      </article>
    </>
  );
}
