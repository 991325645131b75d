## The user's own account page: who they are, and the language and time zone they read in.

prefs-unknown-language = the language "{ $value }" is not one Switchboard speaks (English or French)
prefs-unknown-time-zone = "{ $value }" is not a time zone (a name such as Europe/Paris)

account-title = Your account
account-logged-in-as = You are logged in as { $name } ({ $email }).
account-no-role = Your account has no role yet, so there is nothing to open here. Ask an administrator of your company to give you the Agent, Supervisor or Administrator role.
account-roles = Roles: { $roles }.
account-no-page = None of your roles has a page of its own: the Expert role is not used by chat. Ask an administrator of your company for the Agent, Supervisor or Administrator role.
account-continue = Continue
account-preferences = Language and time zone
account-language = Language
account-language-automatic = Automatic (your browser's language)
account-language-hint = Pages, e-mails and messages are written in this language.
account-time-zone = Time zone
account-time-zone-company = The company's ({ $zone })
account-save = Save
account-saved = Your language and time zone are saved.
account-notifications = Console notifications
account-notify-sound = Play a sound when a conversation arrives or a visitor writes in one you are not looking at
account-notify-desktop = Show a desktop notification then (your browser asks for permission the first time)
account-notify-hint = The tab’s title counts your unread conversations either way.
account-notify-saved = Your console notifications are saved.

company-title = Company settings
company-intro = The language and time zone of the company's users who have not chosen their own, and of the e-mails they receive.
company-language = Default language
company-time-zone = Time zone
company-saved = The company's language and time zone are saved.
