-- Read models whose rows are updated often, each time in columns no index covers: room on
-- every page lets PostgreSQL update them in place (HOT), without touching their indexes.
ALTER TABLE users SET (fillfactor = 50);
ALTER TABLE conversations SET (fillfactor = 70);
ALTER TABLE agent_load SET (fillfactor = 50);
