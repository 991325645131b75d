-- Internal notes on a conversation sit in its transcript for staff, as sender 'note'.
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_sender_check;
ALTER TABLE messages ADD CONSTRAINT messages_sender_check CHECK (sender IN ('visitor', 'agent', 'system', 'note'));
