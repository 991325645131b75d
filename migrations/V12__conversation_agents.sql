-- Every agent who held a conversation, so that one reassigned or transferred away still
-- finds it in their history. Filled from the log for the conversations already there.
ALTER TABLE conversations ADD COLUMN handled_by uuid[] NOT NULL DEFAULT '{}';
UPDATE conversations c SET handled_by = ARRAY(
    SELECT DISTINCT (e.payload->>'agent_id')::uuid FROM events e
    WHERE e.stream = 'conversation-' || c.conversation_id AND e.event_type = 'ConversationAssigned'
);
CREATE INDEX conversations_handled_by ON conversations USING gin (handled_by);
