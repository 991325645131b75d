-- Every agent who held a conversation, in the order they first did, so that one reassigned
-- or transferred away still finds it in their history. Filled from the log for the
-- conversations already there, as a replay of the conversations projection would.
ALTER TABLE conversations ADD COLUMN handled_by uuid[] NOT NULL DEFAULT '{}';
UPDATE conversations c SET handled_by = ARRAY(
    SELECT a.agent FROM (
        SELECT (e.payload->>'agent_id')::uuid AS agent, min(e.position) AS first
        FROM events e
        WHERE e.stream = 'conversation-' || c.conversation_id AND e.event_type = 'ConversationAssigned'
        GROUP BY 1
    ) a ORDER BY a.first
);
CREATE INDEX conversations_handled_by ON conversations USING gin (handled_by);
