-- Accept before it counts (projection `sites`): how long a new chat rings for an agent
-- before it goes to the next one; NULL, the default, means chats are the agent's at once.
ALTER TABLE sites ADD COLUMN accept_seconds int;

-- (projection `conversations`) A waiting conversation ringing for an agent, and until when:
-- the console lists it, and the ring sweep ends the offers whose time is up, whichever
-- process made them and even after a restart.
ALTER TABLE conversations ADD COLUMN ringing_agent uuid, ADD COLUMN ringing_until timestamptz;
CREATE INDEX conversations_ringing ON conversations (ringing_until) WHERE ringing_until IS NOT NULL;
