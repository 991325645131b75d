## Refusals and errors, as pages and the JSON API's `message` say them. English messages are
## fragments ("the company must keep…"); pages capitalise them into sentences.

field-first-name = the first name
field-last-name = the last name
field-display-name = the display name
field-phone = the phone number
field-job-title = the job title
field-name = the name

err-not-found = not found
err-page-not-found = There is nothing here.
err-unauthenticated = Please log in.
err-invalid-credentials = Wrong e-mail or password.
err-forbidden = Your role does not allow this.
err-internal = Something went wrong on our side.
err-unavailable = The database is not answering; try again shortly.
err-catching-up = Saved. The { $list } list is catching up and shows the change in a moment.
err-stream-unreadable = this record holds an event this version cannot read ({ $reason }): an operator has been told; other records are not affected
err-contention = this record is being changed by someone else right now; try again
err-csrf = This form has expired (security check failed). Reload the page and try again.
err-form-unreadable = The form could not be read: { $detail }
err-query-unreadable = The address could not be read: { $detail }
err-json-unreadable = The request body could not be read: { $detail }
err-confirm-unticked = Tick the box to confirm.

err-agent-not-online = the agent is not online
err-agent-at-capacity = the agent already holds { $max } conversations, their maximum
err-no-agent-available = no other agent of this site is online with a free slot
err-email-taken = this e-mail address already belongs to an account
err-invalid-email = "{ $value }" is not a valid e-mail address

err-company-not-registered = the company does not exist
err-company-already-registered = the company already exists
err-company-name-missing = the company name must not be empty
err-company-no-seats = a company needs at least one seat
err-seats-exhausted = all { $seats } seats are in use: deactivate a user or buy more seats
err-seats-below-usage = { $in_use } seats are in use, more than the { $seats } asked for: deactivate users first
err-not-a-member = this user is not a member of the company
err-already-a-member = this user is already a member of the company
err-last-administrator = the company must keep at least one active administrator
err-nothing-to-change = this order changes nothing: it is the offer in force
err-renewal-due = the subscription is being renewed: try again in a minute
err-order-in-progress = another order is being paid: wait for it to finish
err-order-id-reused = this order number was already used for another order
err-amount-changed = the amount is now { $actual }, not the { $expected } shown: check the new amount and validate again
err-card-missing = a card is needed to pay this order
err-unknown-order = there is no such order
err-no-card-on-file = no card is on file to renew the subscription

err-user-already-registered = this user already exists
err-user-not-registered = this user does not exist
err-first-name-missing = the first name is mandatory
err-last-name-missing = the last name is mandatory
err-too-long = { $field } is longer than { $max } characters
err-max-chats = the maximum number of simultaneous chats must be between 1 and { $max }, not { $value }
err-not-invited = this user has no pending invitation
err-invitation-expired = this invitation link has expired; ask your administrator to send a new one
err-invitation-used = this invitation link has already been used
err-invitation-replaced = this invitation link was replaced by a newer one; use the latest e-mail
err-invitation-unknown = this invitation link is not valid
err-no-password-yet = this user has not chosen a password yet: send the invitation again instead
err-no-password-reset = there is no password reset in progress for this user
err-reset-link-expired = this password reset link has expired; ask for a new one
err-reset-link-used = this password reset link has already been used; ask for a new one if you need to
err-reset-link-replaced = this password reset link was replaced by a newer one; use the latest e-mail
err-reset-link-unknown = this password reset link is not valid

err-site-not-found = this site does not exist
err-site-already-exists = this site exists already
err-site-deleted = this site has been deleted
err-site-name-missing = the site needs a name
err-site-no-url = give at least one URL of the site
err-site-too-many-urls = give at most { $max } URLs
err-site-bad-url = "{ $value }" is not a web address: give a host such as www.example.fr, optionally with https:// and a path
err-site-bad-colour = the colour must look like #1a2b3c, not "{ $value }"
err-site-bad-weight = priority weights must be between 1 and 100
err-site-not-an-agent = only users with the Agent role can be assigned to a site

err-conversation-not-found = this conversation does not exist
err-conversation-already-started = this conversation exists already
err-conversation-closed = this conversation has ended
err-message-empty = the message is empty
err-message-too-long = the message is longer than { $max } characters
err-conversation-not-yours = this conversation is not assigned to you
err-conversation-already-assigned = this conversation already has an agent
err-conversation-not-assigned = this conversation has no agent
err-visitor-name-too-long = the name is longer than 100 characters
err-not-an-offline-message = only an offline message is answered by e-mail; answer a chat in the console
err-bad-priority = unknown priority "{ $value }" (expected high, normal or low)
err-bad-period = unknown billing period "{ $value }" (expected monthly or annual)
