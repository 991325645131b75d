## Administration → Configuration → Sites & Hotlines: the list, a site's page, its
## installation and test pages, the advisors (agents) of a site, and the copy button.
## A `{ $mark }` stands where the page puts something of its own (a name in bold, code).

sites-title = Sites & Hotlines
sites-breadcrumb = Administration → Configuration → Sites & Hotlines
sites-back = ← Sites & Hotlines
sites-add = Add a site
sites-col-site = Site
sites-col-urls = URLs
sites-col-online = Online now
sites-high = High
sites-normal = Normal
sites-low = Low
sites-online = { $count } online
sites-nobody = nobody
sites-edit = Edit
sites-edit-name = Edit { $name }
sites-install = Install
sites-test = Test
sites-empty = No site yet. Add one to put chat on your website.

## The site's fields
sites-name-label = Name *
sites-urls-label = URLs of the site * (one per line)
sites-urls-placeholder = www.example.com or https://www.example.com/shop
sites-urls-help = The URLs need not be exact: when the widget loads elsewhere you get a warning here. Tick the box below to allow these URLs only.
sites-restrict = Only on these URLs (the widget refuses to open anywhere else)
sites-notes-label = Notes (what this site is for)
sites-create = Create the site

## A site's page
sites-unlisted-heading = The widget was loaded from addresses this site does not list:
sites-unlisted-seen = { $origin } (last { $seen })
sites-unlisted-refused = It refused to open there, because the site is restricted to its URLs.
sites-unlisted-advice = Add them to the URLs if they are yours; otherwise someone copied your snippet.
sites-advisors = Advisors
sites-advisors-high = High:
sites-advisors-normal = Normal:
sites-advisors-low = Low:
sites-configure = Configure
sites-general = General
sites-save = Save
sites-saved = Saved.
sites-widget = Widget
sites-widget-help = Changes apply to the next page loads; the snippet stays the same.
sites-weights = Priority weights
sites-weights-help = Among the agents with a free slot, each is offered new chats in proportion to its priority's weight: with the defaults (High 3, Normal 2, Low 1), a High agent gets three chats for every one a Low agent gets. Lower priorities still get some; ties go to the least busy.
sites-key = Widget key
sites-key-help = Public: it appears in your pages. Rotating it makes every page with the old snippet stop showing the widget.
sites-rotate-link = Rotate the key…
sites-installation = Installation
sites-test-my-module = Test my module
sites-delete = Delete
sites-delete-link = Delete this site…
sites-deleted = This site was deleted: its widget no longer opens chats. Its conversations stay in the history.
sites-back-to-sites = Back to sites
sites-cancel = Cancel

## The widget's settings
sites-colour = Colour
sites-greeting = Greeting
sites-position = Position
sites-bottom-right = Bottom right
sites-bottom-left = Bottom left
sites-language = Language
sites-offline-text = Text of the offline form (shown when no agent is online)

## Rotating the key
sites-rotate-title = Rotate the widget key
sites-rotate-heading = Rotate the widget key of { $name }?
sites-rotate-stops = Every page that carries the current snippet (key { $mark }) stops showing the widget at once.
sites-rotate-paste = You then paste the new snippet (on the installation page) into your site, or the new key into the WordPress plugin.
sites-history-stays = Conversations already held stay in the history.
sites-rotate-button = Rotate the key
sites-rotated = The widget key changed: update the snippet on your pages (the installation page shows the new one).

## Deleting
sites-delete-title = Delete a site
sites-delete-heading = Delete { $name }?
sites-delete-explain = The widget stops opening new chats on this site at once. Conversations already held stay in the history. This cannot be undone.
sites-delete-yes = Yes, delete { $name }
sites-delete-button = Delete the site
sites-delete-tick = Tick the box to confirm the deletion.
sites-deleted-notice = The site was deleted.

## Installing
sites-install-title = Manual installation
sites-install-paste = Paste these lines into every page of { $site }, just before { $body }:
sites-copy = Copy
sites-install-async = The script loads asynchronously: it never slows your page down. Changing the widget's colour or texts later needs no new snippet.
sites-platforms = Common platforms
sites-platform-others = Joomla, Drupal, others
sites-install-wordpress-download = Download the plugin (.zip)
sites-install-wordpress = { $download }. Upload it under Plugins → Add New → Upload Plugin, activate { $plugin }, then under Settings → Switchboard Chat paste the address { $address } and the site key { $key }.
sites-install-shopify = Online Store → Themes → ⋯ → Edit code → { $file }: paste the lines just before { $body } and save.
sites-install-wix = Settings → Custom code → Add custom code: paste the lines, apply to all pages, place in Body – end.
sites-install-squarespace = Settings → Advanced → Code injection → Footer: paste the lines.
sites-install-gtm = A Custom HTML tag with the lines, fired on All Pages.
sites-install-others = Put the lines in the theme's main template, before { $body }, or in a footer custom-HTML block shown on every page.

## Test my module
sites-test-title = Test my module · { $name }
sites-test-heading = Test my module: { $name }
sites-test-intro = This page loads the widget exactly as your site does, with the snippet below.
sites-test-script = Widget script:
sites-test-loading = loading…
sites-test-agents = Agents online:
sites-test-asking = asking…
sites-test-hint = Once an agent of this site is online, open the chat bubble to try a conversation.
sites-test-inactive = installed, but not active ({ $reason })
sites-test-unknown = unknown
sites-test-running = installed and running
sites-test-online = yes: open the bubble to chat
sites-test-nobody = nobody online yet
sites-test-not-loaded = did not load: check the snippet and the server address

## Messages about a site's settings
sites-bad-position = position "{ $value }" should be bottom-right or bottom-left
sites-bad-language = language "{ $value }" should be en or fr
sites-bad-weight = { $field } must be a whole number from 1 to 100
sites-origin-refused = The widget of { $site } may not be used on { $origin }.
sites-origin-refused-none = The widget of { $site } may not be used on a page without an origin.

## The advisors of a site
advisors-title = Advisors of { $site }
advisors-all = All agents
advisors-high = High priority
advisors-normal = Normal priority
advisors-low = Low priority
advisors-help = Drag agents into a priority column, between columns, or back to All agents; or focus one and press 1 (High), 2 (Normal), 3 (Low), 0 (remove). Only users with the Agent role can be added. Someone who loses the role or is deactivated keeps their place but is offered no chats until the role comes back.
advisors-not-offered = not offered chats
advisors-not-offered-why = Kept, but offered no chats: no Agent role or deactivated
advisors-col-agent = Agent
advisors-col-priority = Priority
advisors-priority-of = Priority of { $name }
advisors-not-assigned = Not assigned
advisors-save = Save
advisors-saved = Saved.
advisors-remove-title = Remove advisors
advisors-remove-heading = Remove from { $site }?
advisors-remove-explain = They will no longer be offered this site's chats. Conversations they hold now stay with them; they can be added again later.
advisors-remove-button = Remove and save
advisors-cancel = Cancel
advisors-failure = { $name }: { $message }
# The script's words.
advisors-js-confirm-remove = Remove { $name } from this site? They will no longer be offered its chats.
advisors-js-kept = { $name }: kept.
advisors-js-still-saving = { $name }: still saving, try again in a moment.
advisors-js-http-error = Could not save: HTTP { $status }
advisors-js-network-error = Could not save: network error
advisors-js-no-longer-assigned = no longer assigned
advisors-js-saved = { $name }: { $what }, saved.
advisors-js-picked-up = { $name } picked up. Use the arrow keys to choose a column, Enter to drop, Escape to cancel.
advisors-js-cancelled = { $name }: move cancelled.
advisors-js-not-moved = { $name }: not moved.

## The copy button (static/copy.js)
copy-done = Copied
copy-manual = Press Ctrl+C

## Business hours, on the site's page.
sites-hours = Business hours
sites-hours-enabled = Open to chats only during these hours
sites-hours-help = Outside them the widget shows the offline form, even when an agent is online, and says when the team is back. Times are in the company's time zone: { $zone }. To stay open until midnight, end at 00:00.
sites-hours-zone-link = Change the time zone
sites-hours-day = Day
sites-hours-open = Open
sites-hours-from = From
sites-hours-to = To
sites-hours-open-on = Open on { $day }
sites-hours-from-on = { $day }: opening time { $n }
sites-hours-to-on = { $day }: closing time { $n }
sites-hours-now-open = Open now.
sites-hours-now-closed = Closed now. { $back }.
sites-prechat-form = Ask for a name and an e-mail address before the chat (pre-chat form)
sites-prechat-form-help = Visitors then give their name, their address and, if they like, their question before writing; agents see them beside the conversation, and the visitor may receive a copy of the chat at that address.
sites-accept = Accept before it counts
sites-accept-help = When this is on, a new chat rings the agent chosen by the priority weights, and becomes theirs only when they accept it. If they do not accept in time, or decline, it rings the next agent chosen by the same rules. The ringing chat keeps the agent's place, and the visitor keeps their place in the queue. Off, a new chat is the agent's at once.
sites-accept-enabled = Agents accept a new chat before it counts
sites-accept-seconds = Seconds to accept ({ $min } to { $max })
