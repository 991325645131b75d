## The visitors' chat widget, in its site's language. A site's own greeting and offline
## text, when an administrator wrote them, are shown instead of the defaults.

widget-greeting = Hello! How can we help you today?
widget-offline-text = We are not online right now. Leave us a message and we will answer by e-mail.
widget-open = Chat with us
widget-close = Close
widget-online = We are online
widget-offline = Nobody is online right now
widget-reconnecting = Connection lost: reconnecting…
widget-end = End the chat
widget-log = Messages
widget-placeholder = Write your message…
widget-send = Send
widget-you = You
widget-agent = Agent
widget-pending = Sending…
widget-delivered = Delivered
widget-failed = Not sent
widget-queue = You are number { $position } in the queue
widget-with = You are chatting with { $name }
widget-typing = { $name } is typing…
widget-typing-agent = The agent is typing…
widget-ended = The conversation has ended
widget-name = Your name
widget-email = Your e-mail address
widget-message = Your message
widget-submit = Send the message
widget-thanks = Thank you! We have your message and will answer you by e-mail.
widget-bad-email = Please enter a valid e-mail address.
widget-no-message = Please write a message.
widget-too-long = This message is too long (4,000 characters at most).
widget-slow = You are sending messages too quickly: they will be sent in a moment.
widget-error = Something went wrong. Please try again.
