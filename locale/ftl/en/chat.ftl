## Live chat: the agent console, the supervisor board, the conversation history and
## transcripts, and the chat sockets' error messages.

## Shared by the chat pages and scripts.
chat-visitor = Visitor
chat-visitor-number = Visitor #{ $number }
chat-visitor-erased = Erased visitor
chat-agent = Agent
chat-site = Site
chat-switchboard = Switchboard
chat-message-erased = Message erased
chat-state-waiting = waiting
chat-state-assigned = assigned
chat-state-closed = closed
chat-state-offline = offline
chat-note = Note by { $name }
chat-status-online = online
chat-status-away = away
chat-status-offline = offline
chat-priority-high = high
chat-priority-normal = normal
chat-priority-low = low
chat-connecting = Connecting…
chat-connected = Connected
chat-reconnecting = Reconnecting…
chat-role-removed = Your role no longer allows this page.
chat-dismiss = Click to dismiss
chat-something-wrong = Something went wrong.

## The agent console.
console-title = Console
console-my-status = My status
console-status = Status
console-online = Online
console-away = Away
console-offline = Offline
console-max-chats = Max chats:
console-waiting = Waiting:
console-conversations = Conversations
console-no-conversation = No open conversation.
console-unread = { $count } unread
console-transfer-button = Transfer…
console-close = Close
console-transfer-to = Transfer to
console-transfer = Transfer
console-transfer-looking = Looking for available agents…
console-transfer-none = No other agent of this site is online with a free slot.
console-cancel = Cancel
console-agent-option = { $name } ({ $load }/{ $max_chats })
console-visitor-typing = The visitor is typing…
console-typing = { $name } is typing…
console-answer = Your answer
console-answer-placeholder = Your answer (Enter sends, Shift+Enter starts a new line)
console-send = Send
console-note-mode = Internal note: only your colleagues see it, never the visitor
console-note-placeholder = A note for your colleagues (the visitor does not see it)
console-add-note = Add note
console-allow-notifications = Turn on desktop notifications
console-on = On
console-unknown-page = an unknown page
console-select = Select a conversation. New chats appear here as they are assigned to you.
console-sending = Sending…
console-delivered = Delivered
console-gone-some = Some conversation(s) are no longer assigned to you.
console-gone-some-dropped = Some conversation(s) are no longer assigned to you; { $dropped } unsent message(s) were dropped.
console-gone = { $count } conversation(s) are no longer assigned to you.
console-gone-dropped = { $count } conversation(s) are no longer assigned to you; { $dropped } unsent message(s) were dropped.
console-new-conversation = New conversation: { $visitor } on { $site }.
console-a-site = a site
console-closed-by-you = You closed the conversation with { $visitor } ({ $site }).
console-closed-by-visitor = { $visitor } ({ $site }) ended the conversation.
console-closed = The conversation with { $visitor } ({ $site }) was closed.
console-transferred = The conversation with { $visitor } ({ $site }) was transferred.
console-reassigned = A supervisor reassigned the conversation with { $visitor } ({ $site }).
console-requeued = The conversation with { $visitor } ({ $site }) went back to the queue.
console-status-not-changed = Not connected: your status was not changed.
console-too-long = This message is too long ({ $count } characters): { $max } at most.
console-not-closed = Not connected: the conversation was not closed.
console-try-again = Not connected: try again in a moment.
console-not-transferred = Not connected: the conversation was not transferred.

## The supervisor board.
board-title = Supervision
board-status = Status
board-load = Load
board-sites = Sites
board-waiting = Waiting
board-longest-wait = Longest wait
board-started = Started
board-state = State
board-stop-reading = Stop reading
board-reading = Reading:
board-agents = Agents
board-queues = Queues
board-open-conversations = Open conversations
board-no-agent = No agent.
board-nobody-waiting = Nobody is waiting.
board-no-conversation = No open conversation.
board-read = Read
board-reassign-to = Reassign to
board-reassign = Reassign
board-ended = (ended)
board-nobody-online = No agent is online to take this conversation.
board-not-reassigned = Not connected: the conversation was not reassigned.
board-seconds = { $count } s
board-minutes = { $count } min
board-hours = { $hours } h { $minutes } min

## The conversation history.
history-title = Conversations
history-search-placeholder = Visitor name, e-mail or words
history-any-agent = Any agent
history-any-site = Any site
history-from = From
history-until = until
history-search = Search
history-started = Started ({ $zone })
history-state = State
history-first-message = First message
history-none = No conversation matches.
history-previous = ← Previous
history-next = Next →
history-count = { $count ->
    [one] { $count } conversation
   *[other] { $count } conversations
}
history-not-an-id = { $field } is not an id
history-not-a-date = { $field } must be a date like 2026-11-25

## One conversation's transcript.
transcript-title = Conversation
transcript-back = ← Conversations
transcript-started = Started { $date }
transcript-on = on { $url }
transcript-erased = This visitor's personal data was erased: their messages, and the answers to them, can no longer be read.
transcript-erase = Erase this visitor's data…
transcript-why = Why this agent
transcript-former-user = a former user
transcript-routed = Chosen by the router among the agents online with a free slot, by priority weight then least load (random draw { $roll }):
transcript-priority = Priority
transcript-weight = Weight
transcript-load = Load
transcript-transferred = Transferred by { $name }, the previous agent.
transcript-reassigned = Reassigned by { $name } (supervisor).
transcript-reassigned-from = Reassigned by { $name } (supervisor), from { $from }.
transcript-by-email = sent by e-mail
transcript-answer-title = Answer by e-mail
transcript-answer-label = Your answer, sent to { $email }
transcript-answer-help = The visitor receives it from Switchboard's address in the site's language, with your own address to reply to; it is kept in this conversation.
transcript-answer-send = Send the answer
transcript-answer-sent = The answer is on its way to the visitor.
transcript-note-title = Internal note
transcript-note-added = The note is added; only your colleagues see it.

## The chat sockets' error messages (their codes do not change).
chat-error-not-assigned = This conversation is not assigned to you.
chat-error-rate-limited = Too many messages: slow down.
chat-error-no-conversation = There is no such conversation.
chat-error-unavailable = The database is not answering.
chat-error-unreadable-frame = this frame cannot be read: { $reason }
chat-error-not-a-frame = a frame is a JSON object with a `type`
chat-error-hello-first = the first frame must be hello
chat-error-hello-once = hello is sent once, at the start
chat-error-unknown-status = unknown status "{ $status }" (expected online, away or offline)

## The visitor beside a conversation (console and transcript)
visitor-about = About the visitor
visitor-number-short = #{ $number }
visitor-facts-number = Visitor number
visitor-facts-name = Name
visitor-facts-email = E-mail
visitor-facts-page = Current page
visitor-facts-referrer = Came from
visitor-facts-browser = Browser
visitor-browser-on = { $browser } on { $system }
visitor-facts-language = Language
visitor-facts-local-time = Local time
visitor-facts-time-zone = Time zone
visitor-facts-earlier = Earlier conversations
visitor-first-conversation = This is their first conversation.

## The visitor's rating of a chat, at its end (history and transcript).
history-rating = Rating
history-any-rating = Any rating
history-rated-good = Rated good
history-rated-bad = Rated bad
history-unrated = Not rated
history-not-a-rating = rating must be good, bad or unrated
rating-good = Good
rating-bad = Bad
transcript-rating-title = The visitor's rating

## The supervisor board's figures (waiting, first response, satisfaction).
board-figures = Response times and satisfaction
board-figures-note = Averages of the waits and first answers that ended in each period; satisfaction is the share of good ratings. Today starts at midnight ({ $zone }).
board-waiting-time = Average wait
board-first-response = Average first response
board-satisfaction = Satisfaction
board-last-hour = Last hour
board-today = Today
board-last-30-days = Last 30 days
board-no-figure = no data
board-no-site = No site.
board-satisfaction-today = Satisfaction today
board-satisfaction-30-days = Satisfaction, 30 days
board-duration-seconds = { $seconds } s
board-duration-minutes-seconds = { $minutes } min { $seconds } s
board-duration-minutes = { $minutes } min
board-duration-hours = { $hours } h { $minutes } min
board-duration-whole-hours = { $hours } h
board-satisfaction-figure = { $percent }% ({ $good } of { $rated })
console-ringing = Ringing for you
console-ring-left = { $seconds } s left to accept
console-accept = Accept
console-accept-label = Accept the conversation with { $visitor } on { $site }
console-decline = Decline
console-ring-new = { $visitor } on { $site } is waiting for you to accept.
console-ring-missed = You did not accept { $visitor } on { $site } in time: the conversation went to the next agent.
transcript-accepted = The site asks agents to accept a new chat: it rang for this agent, who accepted it in time.
transcript-passed-timed-out = It rang for { $name } first, who did not accept in time.
transcript-passed-declined = It rang for { $name } first, who declined.
