## The audit log page and the descriptions of its entries (also a user's History tab).

audit-title = Audit log
audit-who = Who
audit-what = What
audit-when = When
audit-object = Object
audit-values = Values
audit-anyone = Anyone
audit-every-action = Every action
audit-from = From
audit-to = To
audit-one-object = Only one object.
audit-show-all = Show all
audit-filter = Filter
audit-export = Export as CSV
audit-only-this-object = Only this object
audit-nothing-matches = Nothing matches.
audit-newest = ← Newest
audit-older = Older →
audit-not-a-date = "{ $text }" is not a date (YYYY-MM-DD)
audit-not-a-kind = "{ $kind }" is not a kind of action
audit-not-a-page-position = "{ $text }" is not a page position
audit-object-a-user = a user
audit-object-site = the site
audit-object-invoice = invoice { $number }
audit-object-company = the company

## Kinds of action, as the filter names them.
audit-kind-users = users
audit-kind-roles = roles
audit-kind-seats = seats
audit-kind-billing = billing
audit-kind-sites = sites
audit-kind-widget = widget
audit-kind-agents = agents
audit-kind-visitors = visitors

## Who did it, when it is not a user of the company.
audit-who-system-billing = Switchboard (billing)
audit-who-system-cli = Switchboard (operators)
audit-who-system = Switchboard ({ $name })
audit-who-visitor = a visitor
audit-who-someone = someone

## What happened: a sentence whose subject is who did it.
audit-user-registered = created the account for { $email }
audit-user-invited-later = created an invitation (not mailed yet)
audit-user-invited = sent an invitation by e-mail
audit-invitation-link-issued = mailed an invitation link
audit-invitation-accepted = accepted the invitation
audit-password-set = set the password
audit-password-reset-requested = asked for a password reset link
audit-password-reset-link-issued = mailed a password reset link
audit-password-reset = chose a new password through a reset link
audit-profile-changed = changed the profile
audit-email-changed = changed the e-mail address to { $email }
audit-max-chats-changed = set the maximum simultaneous chats to { $max_chats }
audit-member-added = added to the company
audit-member-added-as = added to the company as { $roles }
audit-role-granted = switched the { $role } role on
audit-role-revoked = switched the { $role } role off
audit-member-deactivated = deactivated the account
audit-member-reactivated = reactivated the account
audit-registration-abandoned = abandoned the creation ({ $reason })
audit-agent-assigned = assigned to a site at { $priority } priority
audit-agent-priority-changed = moved to { $priority } priority on a site
audit-agent-unassigned = removed from a site
audit-seats-changed-from = set the seats from { $previous } to { $seats }
audit-seats-changed = set the seats to { $seats }
audit-order-placed = ordered { $seats } seats, { $period } payment
audit-payment-succeeded = paid { $cents } cents
audit-payment-failed = had a payment refused ({ $code })
audit-offer-changed = changed the offer to { $seats } seats
audit-invoice-issued = was issued invoice { $number }
audit-subscription-past-due = could not renew: the subscription is past due
audit-visitor-erased = erased a visitor's personal data
