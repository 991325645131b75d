-- Visitors told apart: a short number per company, given in the order visitors first wrote
-- (a conversation or an offline message), and what their browser said when they started.
-- Owned by the conversations projection.
CREATE TABLE visitor_numbers (
    company_id  uuid NOT NULL,
    visitor_id  uuid NOT NULL,
    number      integer NOT NULL CHECK (number > 0),
    PRIMARY KEY (company_id, visitor_id),
    UNIQUE (company_id, number)
);

ALTER TABLE conversations
    ADD COLUMN visitor_number    integer,
    ADD COLUMN referrer          text NOT NULL DEFAULT '',
    ADD COLUMN browser           text NOT NULL DEFAULT '',
    ADD COLUMN system            text NOT NULL DEFAULT '',
    ADD COLUMN visitor_language  text NOT NULL DEFAULT '',
    ADD COLUMN visitor_time_zone text NOT NULL DEFAULT '';

-- The conversations already there, numbered as a replay of the projection would: by the
-- place in the log of each visitor's first conversation in the company.
INSERT INTO visitor_numbers (company_id, visitor_id, number)
SELECT company_id, visitor_id, row_number() OVER (PARTITION BY company_id ORDER BY first, visitor_id)
FROM (
    SELECT c.company_id, c.visitor_id, min(e.position) AS first
    FROM conversations c
    JOIN events e ON e.stream = 'conversation-' || c.conversation_id AND e.version = 0
    GROUP BY 1, 2
) f;
UPDATE conversations c SET visitor_number = n.number
FROM visitor_numbers n WHERE n.company_id = c.company_id AND n.visitor_id = c.visitor_id;
