# Canned responses: the company's shared ones (administration), an agent's own (account),
# and the picker of the console's answer box.

nav-canned = Canned responses
canned-title = Canned responses
canned-own-title = My canned responses
canned-breadcrumb = Administration → Configuration → Canned responses
canned-back-account = ← My account
canned-intro = Ready answers every agent of the company can insert: typing / and the shortcut in the console's answer box offers them.
canned-own-intro = Your own ready answers, beside the company's: typing / and the shortcut in the console's answer box offers them. Only you see these.
canned-own-manage = Manage my canned responses
canned-col-shortcut = Shortcut
canned-col-text = Text
canned-col-actions = Actions
canned-edit = Edit
canned-edit-name = Edit /{ $shortcut }
canned-remove = Remove
canned-remove-name = Remove /{ $shortcut }
canned-empty = No canned response yet.
canned-add = Add a response
canned-add-button = Add
canned-shortcut-label = Shortcut
canned-shortcut-help = 1 to 32 lower-case letters, digits, - or _, typed after / in the console (thx, opening-hours).
canned-text-label = Text
canned-text-help = Up to 4,000 characters. {"{"}visitor_name{"}"} becomes the visitor's name (or their number) and {"{"}agent_name{"}"} your name as the console shows it.
canned-added-notice = /{ $shortcut } was added.
canned-edit-title = Edit a canned response
canned-back = ← Canned responses
canned-save = Save
canned-cancel = Cancel
canned-saved-notice = The canned response was saved.
canned-remove-title = Remove a canned response
canned-remove-heading = Remove /{ $shortcut }?
canned-remove-yes = Yes, remove /{ $shortcut }
canned-remove-button = Remove
canned-remove-tick = Tick the box to confirm the removal.
canned-removed-notice = The canned response was removed.

canned-picker-label = Canned responses
canned-picker-none = No canned response matches.
canned-picker-help = ↑ ↓ to choose, Enter or Tab to insert, Esc to close.
canned-picker-count = Canned responses found: { $count }

canned-err-exists = this canned response exists already
canned-err-shortcut-missing = give a shortcut
canned-err-bad-shortcut = “{ $value }” is not a shortcut: use 1 to { $max } lower-case letters, digits, - or _
canned-err-shortcut-taken = the shortcut /{ $shortcut } is taken
canned-err-text-missing = give the text of the response
canned-err-text-too-long = the text is longer than { $max } characters
canned-err-too-many = keep at most { $max } canned responses

audit-canned-added = added the canned response /{ $shortcut }
audit-canned-changed = changed the canned response /{ $shortcut }
audit-canned-removed = removed a canned response
audit-kind-canned = Canned responses
