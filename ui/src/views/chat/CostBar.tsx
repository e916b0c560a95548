// What the conversation costs and how long its context is. Every turn resends the whole transcript
// as one upstream message, so a long one is marked and offers to continue in a new chat that starts
// from a summary.
import { useTranslation } from 'react-i18next';

import type { Conversation } from '../../api/chatTypes';
import { formatNumber } from '../../lib/format';

interface CostBarProps {
  conversation: Conversation;
  summarizing: boolean;
  onSummarize: () => void;
  busy: boolean;
}

export function CostBar({ conversation, summarizing, onSummarize, busy }: CostBarProps) {
  const { t } = useTranslation();
  const { summary } = conversation;
  const long = conversation.context_long;
  return (
    <div className="chat-cost">
      <span className={long ? 'chat-context long' : 'chat-context'} role={long ? 'status' : undefined}>
        <span title={long ? t('chat.cost.long') : t('chat.cost.contextHelp')}>
          {t('chat.cost.context', { tokens: formatNumber(conversation.context_tokens) })}
          {long && ` · ${t('chat.cost.longShort')}`}
        </span>
        {long && (
          <button type="button" className="button small secondary" title={t('chat.cost.long')} disabled={summarizing || busy} onClick={onSummarize}>
            {summarizing ? t('chat.cost.summarizing') : t('chat.cost.summarize')}
          </button>
        )}
      </span>
      <span>{t('chat.cost.total', { tokens: formatNumber(summary.total_tokens), points: formatNumber(summary.total_points) })}</span>
    </div>
  );
}
