## Shared words: counts, buttons and messages every area uses.

count-users = { $count ->
    [one] { $count } user
   *[other] { $count } users
}

## The frame around every page.
nav-console = Console
nav-supervision = Supervision
nav-conversations = Conversations
nav-company = Company
nav-users = Users
nav-subscription = Subscription
nav-company-settings = Settings
nav-audit = Audit log
nav-configuration = Configuration
nav-sites = Sites & Hotlines
nav-account = Your account, language and time zone
nav-log-out = Log out

## Error pages.
error-back = Back to Switchboard
status-400 = Bad Request
status-403 = Forbidden
status-404 = Not Found
status-409 = Conflict
status-410 = Gone
status-413 = Payload Too Large
status-422 = Unprocessable Entity
status-429 = Too Many Requests
status-500 = Internal Server Error
status-503 = Service Unavailable
status-other = Error

## Roles, as people read them.
role-agent = Agent
role-supervisor = Supervisor
role-administrator = Administrator
role-expert = Expert

## Days of the week, as a sentence reads them.
weekday-monday = Monday
weekday-tuesday = Tuesday
weekday-wednesday = Wednesday
weekday-thursday = Thursday
weekday-friday = Friday
weekday-saturday = Saturday
weekday-sunday = Sunday
