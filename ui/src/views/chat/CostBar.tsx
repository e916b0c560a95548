// What the conversation costs and how long its context is; every turn resends the whole transcript
// as one upstream message, so a long one offers to continue in a new chat from a summary.
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
  return (
    <div className="chat-cost">
      {conversation.context_long && (
        <div className="chat-long" role="status">
          <span>{t('chat.cost.long')}</span>
          <button type="button" className="button small secondary" disabled={summarizing || busy} onClick={onSummarize}>
            {summarizing ? t('chat.cost.summarizing') : t('chat.cost.summarize')}
          </button>
        </div>
      )}
      <div className="chat-cost-line muted">
        <span title={t('chat.cost.contextHelp')}>{t('chat.cost.context', { tokens: formatNumber(conversation.context_tokens) })}</span>
        <span>
          {t('chat.cost.total', { tokens: formatNumber(summary.total_tokens), points: formatNumber(summary.total_points) })}
        </span>
      </div>
    </div>
  );
}
