## Company → Users: the list, adding a user, editing one, and the invitation link.

users-title = Users
users-seats-exhausted = All { $seats } seats are in use: no user can be added, invited, imported or reactivated until a seat is free.
users-seats-add = Add
users-past-due = The subscription's renewal could not be charged since { $since }. It is tried again every day and nobody loses access; pay with another card to settle it.
users-subscription = Subscription
users-paid = Payment received.
users-paid-seats = Payment received: { $seats } seats are yours.
users-paid-invoice = Invoice { $number }
users-added = The user was added.
users-search-placeholder = Search by name or e-mail
users-search-label = Search users
users-search = Search
users-add-user = Add user
users-import = Import from CSV
users-seats-in-use = { $in_use } of { $seats } seats in use
users-roles-help = Roles: only Agent and Supervisor matter for chat (agents answer, supervisors watch). Expert is not used by chat.
users-col-name = Name
users-col-email = E-mail
users-col-status = Status
users-col-max-chats = Max chats
users-edit = Edit
users-edit-name = Edit { $name }
users-none-match = No users match.
users-previous = ← Previous
users-next = Next →
users-page = Page { $page } of { $pages } · { $count ->
    [one] { $count } user
   *[other] { $count } users
}
users-role-on-label = { $role } role for { $name }: on
users-role-off-label = { $role } role for { $name }: off
users-toggle-on = ON
users-toggle-off = OFF

## Roles and statuses, as people read them.
users-role-agent = Agent
users-role-supervisor = Supervisor
users-role-administrator = Administrator
users-role-expert = Expert
users-status-invited = invited
users-status-active = active
users-status-deactivated = deactivated

## Adding a user.
users-new-title = Add a user
users-field-email = E-mail
users-field-first-name = First name
users-field-last-name = Last name
users-field-display-name-optional = Name shown to visitors (optional)
users-field-phone-optional = Phone (optional)
users-field-job-title-optional = Job title (optional)
users-roles = Roles
users-roles-chat-help = Only Agent and Supervisor matter for chat. Expert is not used by chat.
users-max-chats-label = Maximum simultaneous chats (1–{ $limit })
users-max-chats-whole = The maximum number of chats must be a whole number.
users-access = Access
users-access-invite = Send an invitation e-mail: the user chooses a password (link valid 72 hours)
users-access-invite-later = Create the invitation now, send the e-mail later
users-access-password = Set a password now, without e-mail
users-password-label = Password (at least 8 characters)
users-generate-title = Creates the user with a strong random password, shown once
users-generate = Generate a password and add
users-cancel = Cancel
users-created-title = User added
users-give-password = Give { $email } this password. It is shown only now: copy it before leaving this page.
users-copy = Copy
users-open-user = Open the user
users-back = Back to users

## Editing one user.
users-back-to-list = ← Users
users-tab-profile = Profile
users-tab-settings = Settings
users-tab-history = History
users-account = Account
users-resend = Resend the invitation
users-link-expires = The current link expires { $when }.
users-send-reset = Send a password reset link
users-send-reset-help = Mails the user a link, valid one hour, to choose a new password.
users-reactivate = Reactivate
users-reactivate-help = Reactivating takes a seat.
users-deactivate-button = Deactivate…
users-deactivate-help = A deactivated user cannot log in and frees a seat; nothing is deleted.
users-field-display-name = Name shown to visitors
users-field-phone = Phone
users-field-job-title = Job title
users-save = Save
users-saved = Saved.
users-max-chats-settings-label = Maximum number of simultaneous chats (1–{ $limit })
users-max-chats-help = How many conversations this agent may hold at once. New chats go to agents with a free slot.
users-history-when = When ({ $zone })
users-history-who = Who
users-history-what = What
users-deactivate-title = Deactivate a user
users-deactivate-question = Deactivate { $name }?
users-deactivate-logged-out = { $name } ({ $email }) is logged out at once and can no longer log in.
users-deactivate-no-chats = They are offered no new chats; their place on sites is kept for when they come back.
users-deactivate-seat = Their seat is freed. Nothing is deleted: their history stays, and reactivating them later takes a seat again.
users-deactivate-confirm = Deactivate { $name }
users-deactivated = The user is deactivated.
users-reactivated = The user is active again.
users-invitation-resent = A new invitation is on its way; the previous link no longer works.
users-reset-sent = A password reset link is on its way to the user; it works once, for one hour.

## The invitation link: the invited user chooses a password.
users-invitation-expired-title = This invitation has expired
users-invitation-expired = this invitation link has expired; ask your administrator to send a new one
users-invitation-used-title = This invitation has already been used
users-invitation-used = this invitation link has already been used
users-invitation-replaced-title = This invitation was replaced
users-invitation-replaced = this invitation link was replaced by a newer one; use the latest e-mail
users-invitation-unknown-title = This invitation link is not valid
users-invitation-unknown = this invitation link is not valid
users-invitation-log-in = Log in
users-invitation-title = Choose your password
users-invitation-welcome = Welcome, { $first_name }
users-invitation-intro = Choose the password for your Switchboard account.
users-invitation-password = Password (at least { $min } characters)
users-invitation-confirm = The same password again
users-invitation-submit = Set my password
users-invitation-form-expired = This form had expired. Please type your password again.
users-invitation-set-title = Password set
users-invitation-set = Your password is set
users-invitation-set-help = You can now log in with your e-mail address and this password.

## Messages of the users use cases.
users-unknown-role = unknown role "{ $role }" (expected Agent, Supervisor, Administrator or Expert)
